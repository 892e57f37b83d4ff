// Pumps an upstream stream to the client through a transform, with an idle deadline,
// and reports the call's outcome exactly once: on the upstream's end, on an upstream
// failure (the client gets an error event) or when the client goes away (upstream
// aborted). The pipeline settles that outcome; the stream's last bytes go out only once
// the settled call is journalled (call.settled()).
import type { Gateway } from '../context.ts';
import type { Call } from './call.ts';
import { eventTooLarge, SseEventBound } from './protocols/shared/upstream-bounds.ts';
import { errorBody, RelayError } from './protocols/openai/errors.ts';
import type { Outcome } from './outcome.ts';
import type { MeteredUsage } from './protocols/openai/types.ts';
import { abortedByClient, type Attempt } from './upstream.ts';

export interface StreamTransform {
  push(chunk: Uint8Array): Uint8Array | null;
  end(): Uint8Array | null;
  /** Usage reported by the upstream, if any. */
  usage(): MeteredUsage | null;
  /** Local estimate from what was delivered, when the upstream reported none. */
  estimate(): MeteredUsage;
  /** Set once the transform itself failed (it already wrote the protocol's error event): the call ends with this. */
  failure?(): { status: number; error: RelayError } | null;
  /** An exact bill in a unit other than tokens for a call ending with `status`; null falls back to usage(). */
  bill?(status: number): Pick<Outcome, 'usage' | 'cost' | 'estimated'> | null;
  /** The protocol's in-stream error event; OpenAI's `data: {"error":…}` when absent. */
  fail?(err: RelayError): Uint8Array | null;
}

export interface RelayedStream {
  body: ReadableStream<Uint8Array>;
  /** Resolves once, when the stream ends, fails or the client leaves. */
  outcome: Promise<Outcome>;
}

const encoder = new TextEncoder();

export function relayStream(gw: Gateway, call: Call, attempt: Attempt, transform: StreamTransform): RelayedStream {
  const reader = attempt.response.body!.getReader();
  const idleMs = gw.config.idleTimeoutMs;
  // An event that never ends must not grow the transform's buffer without limit.
  const bound = /event-stream/i.test(attempt.response.headers.get('content-type') ?? '') ? new SseEventBound(gw.config.maxSseEventBytes) : null;
  const errorEvent = (err: RelayError) => transform.fail?.(err) ?? encoder.encode(`data: ${errorBody(err.message, err.type, err.code)}\n\n`);
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

  let report!: (outcome: Outcome) => void;
  const outcome = new Promise<Outcome>((resolve) => { report = resolve; });
  // Past the shutdown grace the stream ends now: settled at once, the error event on the next pull.
  let shutdownError: RelayError | null = null;
  const onShutdown = () => {
    if (settled) return;
    shutdownError = new RelayError(503, 'The gateway is shutting down; the stream was ended. Retry the request.', 'server_error', 'server_shutting_down');
    finish(503, shutdownError);
    attempt.abort('gateway shutting down');
  };
  gw.shutdown.expired.addEventListener('abort', onShutdown, { once: true });

  const finish = (status: number, error: RelayError | null) => {
    if (settled) return;
    settled = true;
    gw.shutdown.expired.removeEventListener('abort', onShutdown);
    clearTimeout(idle);
    call.upstreamEnd = performance.now();
    const bill = transform.bill?.(status);
    if (bill) return report({ status, error, ...bill });
    const reported = transform.usage();
    report({ status, error, usage: reported ?? transform.estimate(), estimated: !reported });
  };
  /** The transform failed on its own (its error event is in what it returned): end the call with that. */
  const checkFailure = () => {
    const f = settled ? null : transform.failure?.();
    if (f) finish(f.status, f.error);
  };

  // Shutdown waits for streams in flight: track this one until it settles.
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => { resolveDone = resolve; });
  gw.inflight.add(done);
  const release = () => {
    gw.inflight.delete(done);
    resolveDone();
  };
  if (gw.shutdown.expired.aborted) onShutdown();

  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        for (;;) {
          let r: Awaited<ReturnType<typeof reader.read>>;
          reading = true;
          idle.refresh();
          try {
            r = await reader.read();
          } catch (e) {
            if (!idled && !shutdownError) throw e;
            r = { done: true, value: undefined };
          } finally {
            reading = false;
          }
          if (shutdownError) {
            await call.settled();
            const event = errorEvent(shutdownError);
            if (event) controller.enqueue(event);
            controller.close();
            release();
            return;
          }
          if (idled) {
            const err = new RelayError(504, `Upstream stream was idle for more than ${idleMs} ms.`, 'timeout_error', 'upstream_idle_timeout');
            finish(504, err);
            await call.settled();
            const event = errorEvent(err);
            if (event) controller.enqueue(event);
            controller.close();
            release();
            return;
          }
          if (r.done) {
            const tail = transform.end();
            if (tail) call.capture?.response(tail);
            checkFailure();
            finish(200, null);
            await call.settled();
            if (tail) controller.enqueue(tail);
            controller.close();
            release();
            return;
          }
          if (bound && !bound.push(r.value)) {
            attempt.abort('stream event too large');
            reader.cancel().catch(() => {});
            throw eventTooLarge(bound.max);
          }
          const out = transform.push(r.value);
          checkFailure();
          if (out && out.byteLength) {
            if (!call.firstByte) call.firstByte = performance.now();
            call.capture?.response(out);
            controller.enqueue(out);
            return;
          }
        }
      } catch (e) {
        if (settled) return;
        if (abortedByClient(attempt.signal)) {
          // The client left while a read was pending (its signal aborted the upstream before cancel() ran).
          finish(499, clientClosed());
          try { controller.close(); } catch {}
          release();
          return;
        }
        const err = e instanceof RelayError ? e : new RelayError(502, gw.secrets.scrub(`Upstream stream failed: ${(e as Error).message}`), 'upstream_error', 'upstream_stream_broken');
        finish(err.status, err);
        await call.settled();
        try {
          const event = errorEvent(err);
          if (event) controller.enqueue(event);
          controller.close();
        } catch {}
        release();
      }
    },
    cancel() {
      attempt.abort('client disconnected');
      reader.cancel().catch(() => {});
      finish(499, clientClosed());
      release();
    },
  }, { highWaterMark: 0 });
  return { body, outcome };
}

const clientClosed = () => new RelayError(499, 'Client closed the stream.', 'invalid_request_error', 'client_closed');

/** Headers of an SSE response handed over now. */
export const sseHeaders = (call: Call): Record<string, string> => ({
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
  ...call.responseHeaders(),
});
