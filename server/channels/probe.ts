// Background probes.
// - Auto-disabled channels (status 3): tested with the model that tripped them, one instance
//   at a time; a passing test re-enables the channel (see test-runner.ts).
// - Half-open circuit breakers (this instance's, in memory): one test request each as the
//   breaker's trial; a pass closes it, a failure opens it again for twice as long (and
//   counts in the health window, so a long outage still ends in auto-disable).
import { runTests, testModelOf } from './test-runner.ts';
import { testChannel } from './test-channel.ts';
import type { Gateway } from '../context.ts';
import { noteChannelError, noteProbeSuccess } from '../routing/outcomes.ts';
import { routingSettings } from '../routing/settings.ts';

export async function probeAutoDisabled(gw: Gateway): Promise<void> {
  // Re-enabling switched off (One API's AutomaticEnableChannelEnabled=false): nothing to probe for.
  if (!routingSettings(gw.store).autoEnable) return;
  const jobs = [];
  for (const channel of gw.store.channels()) {
    if (channel.status !== 3) continue;
    const model = gw.routing.trippedModel.get(channel.id) ?? testModelOf(channel);
    if (model) jobs.push({ channel, model });
  }
  if (jobs.length) await runTests(gw, jobs, { source: 'probe' });
}

/** How often each instance looks for half-open breakers to probe. */
export const BREAKER_PROBE_TICK_MS = 250;

export async function probeBreakers(gw: Gateway): Promise<void> {
  const { breakers } = gw.routing;
  const due = breakers.due();
  if (!due.length) return;
  const s = routingSettings(gw.store);
  await Promise.all(due.slice(0, s.testConcurrency * 4).map(async ({ channelId, model }) => {
    const channel = gw.store.channel(channelId);
    // Deleted, disabled or no longer serving the model: nothing to probe, nothing to route.
    if (!channel || channel.status !== 1 || !channel.models.has(model)) {
      breakers.reset(channelId);
      return;
    }
    if (!breakers.claimTrial(channelId, model)) return;
    try {
      const r = await testChannel(gw, channel, model);
      // A refusal of the test request itself (400, 404, 422…) still shows the channel answering:
      // the breaker is about reaching it, not about the test prompt.
      if (r.success || refusedTest(r.status)) noteProbeSuccess(gw, s, channel, model);
      else noteChannelError(gw, s, channel, model, `breaker probe: ${r.error ?? `status ${r.status}`}`);
    } catch (e) {
      breakers.releaseTrial(channelId, model);
      throw e;
    }
  }));
}

/** 4xx other than auth, payment, timeout and rate limit: the upstream answered, it refused the test body. */
const refusedTest = (status: number | null) => status !== null && status >= 400 && status < 500 && ![401, 402, 403, 408, 429].includes(status);
