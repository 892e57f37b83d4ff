// Channel model tests in AI Proxy's shape (core/controller/channel-test.go, model/channeltest.go):
// `GET /api/channel/:id/test/*model` tests one model, `GET /api/channel/:id/test` every model
// of the channel. Run by the channel test runner (server/channels/test-runner.ts), which
// records the result like a console test; `took` is in seconds, `test_at` in milliseconds.
import { type TestJob, runTests } from '../channels/test-runner.ts';
import type { TestKind, TestResult } from '../channels/test-channel.ts';
import type { Gateway } from '../context.ts';
import { toAiproxyType } from './channel-types.ts';
import { ApiError } from './envelope.ts';

const MODE: Record<TestKind, number> = { chat: 1, embeddings: 3, images: 5, speech: 7, transcription: 8 };

function testView(gw: Gateway, r: TestResult, at: Date) {
  const ch = gw.store.channel(r.channelId);
  return {
    test_at: at.getTime(),
    model: r.model,
    actual_model: r.upstreamModel ?? ch?.mapping[r.model] ?? r.model,
    response: r.error ?? '',
    channel_name: ch?.name ?? '',
    channel_type: ch ? toAiproxyType(ch.type, null) : 0,
    channel_id: r.channelId,
    took: r.latencyMs / 1000,
    success: r.success,
    mode: MODE[r.kind],
    code: r.status ?? 0,
  };
}

function channelOr404(gw: Gateway, id: number) {
  const ch = gw.store.channel(id);
  if (!ch) throw new ApiError(404, `channel ${id} not found: record not found`);
  return ch;
}

/** One model: `{ success: true, data: ChannelTest }` whether the upstream passed or not (AI Proxy's contract). */
export async function testChannelModel(gw: Gateway, id: number, model: string) {
  const ch = channelOr404(gw, id);
  if (!model) throw new ApiError(400, 'model is required');
  if (!ch.models.has(model)) throw new ApiError(400, 'model not supported by channel');
  const at = new Date();
  const [r] = await runTests(gw, [{ channel: ch, model }]);
  return testView(gw, r!, at);
}

/** Every model: failures always, successes with `return_success=true`; each `{ success, data }`. */
export async function testChannelModels(gw: Gateway, id: number, q: URLSearchParams) {
  const ch = channelOr404(gw, id);
  const at = new Date();
  const jobs: TestJob[] = [...ch.models].map((model) => ({ channel: ch, model }));
  const results = await runTests(gw, jobs);
  const returnSuccess = q.get('return_success') === 'true';
  return results.filter((r) => returnSuccess || !r.success).map((r) => ({ success: true, data: testView(gw, r, at) }));
}
