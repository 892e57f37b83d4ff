// The gateway's background jobs for channels: writing key cooldowns and disables, probing
// auto-disabled channels, and the optional scheduled tests and balance queries. The last
// three take a Postgres advisory lock per run, so one instance does them at a time.
import type { Gateway } from '../context.ts';
import { BREAKER_PROBE_TICK_MS, probeAutoDisabled, probeBreakers } from './probe.ts';
import { routingSettings } from '../routing/settings.ts';
import { refreshBalance, supportsBalance } from './balance.ts';
import { exclusive, LOCKS, repeat } from '../util/schedule.ts';
import { runTests, testModelOf } from './test-runner.ts';

const KEY_FLUSH_MS = 1_000;

/** Write queued key state; a newly disabled key is announced and other instances reload. */
export async function flushKeyStates(gw: Gateway): Promise<void> {
  const disabled = await gw.routing.keys.flush(gw);
  if (!disabled.length) return;
  await gw.invalidate();
  for (const d of disabled) gw.events.emit('channel.key', { channelId: d.channelId, keyId: d.keyId, status: 3, reason: d.reason, at: new Date() });
}

export async function testEveryChannel(gw: Gateway): Promise<void> {
  const jobs = [];
  for (const channel of gw.store.channels()) {
    const model = testModelOf(channel);
    // Channels disabled by hand are left alone.
    if (model && channel.status !== 2) jobs.push({ channel, model });
  }
  await runTests(gw, jobs);
}

export async function refreshEveryBalance(gw: Gateway): Promise<void> {
  for (const channel of gw.store.channels()) {
    if (channel.status !== 2 && supportsBalance(channel)) await refreshBalance(gw, channel);
  }
}

export function startChannelJobs(gw: Gateway): { stop(): Promise<void> } {
  const settings = () => routingSettings(gw.store);
  const jobs = [
    repeat(gw, 'key-state-flush', () => KEY_FLUSH_MS, () => flushKeyStates(gw)),
    // Breakers are per instance: every instance probes its own, without a lock.
    repeat(gw, 'breaker-probe', () => BREAKER_PROBE_TICK_MS, () => probeBreakers(gw), BREAKER_PROBE_TICK_MS),
    repeat(gw, 'probe', () => settings().probeIntervalMs, () => exclusive(gw, LOCKS.probe, () => probeAutoDisabled(gw))),
    repeat(gw, 'scheduled-tests', () => settings().testIntervalMs, () => exclusive(gw, LOCKS.tests, () => testEveryChannel(gw))),
    repeat(gw, 'balances', () => settings().balanceIntervalMs, () => exclusive(gw, LOCKS.balances, () => refreshEveryBalance(gw))),
  ];
  return {
    async stop() {
      await Promise.all(jobs.map((j) => j.stop()));
      // Cooldowns and disables still queued survive the restart.
      await flushKeyStates(gw).catch((e) => gw.log.error('final key state flush failed', { error: e }));
    },
  };
}
