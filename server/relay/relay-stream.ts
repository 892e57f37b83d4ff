// Pumps an upstream stream to the client through a transform, with an idle deadline,
// and finishes the call exactly once: on the upstream's end, on an upstream failure
// (the client gets an error event) or when the client goes away (upstream aborted).
// The stream's last bytes go out only once the settled call is journalled (call.durable).
import type { Gateway } from '../context.ts';
import type { Call } from './call.ts';
import { errorBody, RelayError } from './errors.ts';
import type { MeteredUsage } from './protocol/openai-types.ts';
import type { Attempt } from './upstream.ts';

export interface StreamTransform {
  push(chunk: Uint8Array): Uint8Array | null;
  end(): Uint8Array | null;
  /** Usage reported by the upstream, if any. */
  usage(): MeteredUsage | null;
  /** Local estimate from what was delivered, when the upstream reported none. */
  estimate(): MeteredUsage;
  /** The client protocol's in-stream error after the 200 went out; default: an OpenAI error chunk. */
  fail?(err: RelayError): Uint8Array | null;
}

const encoder = new TextEncoder();

const failEvent = (transform: StreamTransform, err: RelayError): Uint8Array | null =>
  transform.fail ? transform.fail(err) : encoder.encode(`data: ${errorBody(err.message, err.type, err.code)}\n\n`);

export function relayStream(gw: Gateway, call: Call, attempt: Attempt, transform: StreamTransform): ReadableStream<Uint8Array> {
  const reader = attempt.response.body!.getReader();
  const idleMs = gw.config.idleTimeoutMs;
  let settled = false;
  // One idle timer per stream, re-armed on every read (not a timer and a race per chunk).
  // It counts only while waiting on the upstream: a client slow to pull re-arms it.
  let reading = false;
  let idled = false;
  const idle = setTimeout(function onIdle() {
    if (!reading) return void idle.refresh();
    idled = true;
    attempt.abort('stream idle timeout');
  }, idleMs);

  const finish = (status: number, error: RelayError | null) => {
    if (settled) return;
    settled = true;
    clearTimeout(idle);
    call.upstreamEnd = performance.now();
    const reported = transform.usage();
    call.finish(gw, { status, error, usage: reported ?? transform.estimate(), estimated: !reported });
  };

  // Shutdown waits for streams in flight: track this one until it settles.
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => { resolveDone = resolve; });
  gw.inflight.add(done);
  const release = () => {
    gw.inflight.delete(done);
    resolveDone();
  };

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        for (;;) {
          let r: Awaited<ReturnType<typeof reader.read>>;
          reading = true;
          idle.refresh();
          try {
            r = await reader.read();
          } catch (e) {
            if (!idled) throw e;
            r = { done: true, value: undefined };
          } finally {
            reading = false;
          }
          if (idled) {
            const err = new RelayError(504, `Upstream stream was idle for more than ${idleMs} ms.`, 'timeout_error', 'upstream_idle_timeout');
            finish(504, err);
            if (call.durable) await call.durable;
            const tail = failEvent(transform, err);
            if (tail) controller.enqueue(tail);
            controller.close();
            release();
            return;
          }
          if (r.done) {
            const tail = transform.end();
            if (tail) call.capture?.response(tail);
            finish(200, null);
            if (call.durable) await call.durable;
            if (tail) controller.enqueue(tail);
            controller.close();
            release();
            return;
          }
          const out = transform.push(r.value);
          if (out && out.byteLength) {
            if (!call.firstByte) call.firstByte = performance.now();
            call.capture?.response(out);
            controller.enqueue(out);
            return;
          }
        }
      } catch (e) {
        if (settled) return;
        const err = new RelayError(502, `Upstream stream failed: ${(e as Error).message}`, 'upstream_error', 'upstream_stream_broken');
        finish(502, err);
        if (call.durable) await call.durable;
        try {
          const tail = failEvent(transform, err);
          if (tail) controller.enqueue(tail);
          controller.close();
        } catch {}
        release();
      }
    },
    cancel() {
      attempt.abort('client disconnected');
      reader.cancel().catch(() => {});
      finish(499, new RelayError(499, 'Client closed the stream.', 'invalid_request_error', 'client_closed'));
      release();
    },
  }, { highWaterMark: 0 });
}

/** Headers of an SSE response handed over now. */
export const sseHeaders = (call: Call): Record<string, string> => ({
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
  ...call.responseHeaders(),
});
