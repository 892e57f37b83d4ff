// Background probe: test every channel the health window disabled, with the model that
// tripped it; a passing test re-enables the channel (see channels/test-runner.ts).
import { runTests, testModelOf } from '../channels/test-runner.ts';
import type { Gateway } from '../context.ts';
import { routingSettings } from './settings.ts';

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
