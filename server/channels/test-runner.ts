// Runs channel tests with bounded concurrency: records every result (channel_tests row,
// channels.test_at / test_latency_ms), reports progress, and re-enables a channel that
// was disabled automatically once a test of it passes. Channels disabled by hand stay so.
import type { Gateway } from '../context.ts';
import { setChannelStatus } from '../routing/channel-status.ts';
import type { ChannelEventSource } from '../routing/events.ts';
import { routingSettings } from '../routing/settings.ts';
import type { ChannelEntry } from '../state/types.ts';
import { type TestKind, type TestResult, testChannel } from './test-channel.ts';
import type { TestRun } from '../routing/test-runs.ts';

export interface TestJob {
  channel: ChannelEntry;
  model: string;
}

export interface RunOptions {
  stream?: boolean;
  prompt?: string;
  kind?: TestKind;
  concurrency?: number;
  /** Progress is written here as results arrive. */
  run?: TestRun;
  source?: Extract<ChannelEventSource, 'test' | 'probe'>;
}

/** The model a channel is tested with when none is named: `config.test_model`, else its first model. */
export function testModelOf(channel: ChannelEntry): string | undefined {
  return channel.config.test_model || channel.models.values().next().value;
}

export async function runTests(gw: Gateway, jobs: TestJob[], opts: RunOptions = {}): Promise<TestResult[]> {
  const concurrency = Math.max(1, opts.concurrency ?? routingSettings(gw.store).testConcurrency);
  const results: TestResult[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      const { channel, model } = jobs[i]!;
      const r = await testChannel(gw, channel, model, opts);
      results[i] = r;
      await record(gw, r, opts.source ?? 'test').catch((e) => gw.log.error('cannot record channel test', { channel_id: channel.id, error: e }));
      if (opts.run) {
        opts.run.done++;
        if (r.success) opts.run.passed++;
        else opts.run.failed++;
        opts.run.results.push(r);
      }
      gw.events.emit('channel.test', { runId: opts.run?.id ?? null, channelId: r.channelId, model: r.model, success: r.success, status: r.status, latencyMs: r.latencyMs, error: r.error });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
  if (opts.run) opts.run.finishedAt = new Date();
  return results;
}

async function record(gw: Gateway, r: TestResult, source: Extract<ChannelEventSource, 'test' | 'probe'>): Promise<void> {
  const { db } = gw.db;
  await db.insertInto('channel_tests').values({
    channel_id: r.channelId, model: r.model, kind: r.kind, stream: r.stream, success: r.success, status: r.status,
    latency_ms: r.latencyMs, upstream_model: r.upstreamModel, error: r.error,
  }).execute();
  await db.updateTable('channels')
    .set({ test_at: new Date(), ...(r.success ? { test_latency_ms: r.latencyMs } : {}) })
    .where('id', '=', r.channelId).execute();
  // A passing test is a breaker's successful trial too.
  if (r.success) gw.routing.breakers.success(r.channelId, r.model);
  if (r.success && gw.store.channel(r.channelId)?.status === 3 && routingSettings(gw.store).autoEnable) {
    await setChannelStatus(gw, r.channelId, { status: 1, reason: null, source, onlyFrom: [3] });
  }
}
