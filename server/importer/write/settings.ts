// One API options that change behaviour → Switchboard's routing settings where one exists;
// the rest are reported with what Switchboard does instead. Written only when the source has
// the option, so an operator's own Switchboard settings survive a source that never set it.
import { settingKey, type RoutingSettings } from '../../routing/settings.ts';
import { saveSettings } from '../../state/save-settings.ts';
import type { BehaviourOptions } from '../map/behaviour.ts';
import type { WriteContext } from './context.ts';

const MAX_RETRIES = 10;

export async function writeBehaviour(w: WriteContext, b: BehaviourOptions): Promise<void> {
  const { tx, rb } = w;
  const want: Partial<RoutingSettings> = {};
  if (b.autoEnable !== null) want.autoEnable = b.autoEnable;
  if (b.retryTimes !== null) want.retries = Math.min(MAX_RETRIES, b.retryTimes);
  const keys = Object.keys(want).map((k) => settingKey(k as keyof RoutingSettings));
  const rows = keys.length ? await tx.selectFrom('settings').select(['key', 'value']).where('key', 'in', keys).execute() : [];
  const current = new Map(rows.map((r) => [r.key, r.value]));
  const changed: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(want) as [keyof RoutingSettings, unknown][]) {
    const key = settingKey(name);
    if (JSON.stringify(current.get(key)) === JSON.stringify(value)) continue;
    changed[key] = value;
  }
  if (Object.keys(changed).length) await saveSettings(tx, changed);
  if (b.autoEnable !== null)
    rb.note(`One API option AutomaticEnableChannelEnabled=${b.raw.AutomaticEnableChannelEnabled}: routing setting autoEnable = ${b.autoEnable} (${b.autoEnable ? 'a passing probe or test re-enables auto-disabled channels' : 'auto-disabled channels stay disabled until an admin enables them; the probe does not run'})`);
  if (b.retryTimes !== null)
    rb.note(`One API option RetryTimes=${b.retryTimes}: routing setting retries = ${want.retries}${b.retryTimes > MAX_RETRIES ? ` (Switchboard's maximum)` : ''} (extra attempts on other keys or channels after the first)`);
  if (b.autoDisable === false)
    rb.note('One API option AutomaticDisableChannelEnabled=false: not applied. Switchboard disables a channel × model only while its error rate trips the health window (routing settings healthErrorRate / healthMinRequests / healthWindowMs) and probes it back');
  if (b.raw.ChannelDisableThreshold !== undefined)
    rb.note(`One API option ChannelDisableThreshold=${b.raw.ChannelDisableThreshold} (seconds a channel test may take): not applied; Switchboard disables on errors, not on slow tests`);
  if (b.raw.PreConsumedQuota !== undefined)
    rb.note(`One API option PreConsumedQuota=${b.raw.PreConsumedQuota}: not needed; Switchboard reserves each call's worst-case cost and settles it exactly`);
  if (b.raw.QuotaForNewUser !== undefined && b.raw.QuotaForNewUser !== '0')
    rb.note(`One API option QuotaForNewUser=${b.raw.QuotaForNewUser}: not applied; new Switchboard accounts start with the balance an admin gives them`);
  if (b.raw.ApproximateTokenEnabled === 'true')
    rb.note('One API option ApproximateTokenEnabled=true: not applied; Switchboard bills the vendor-reported usage and estimates only when a vendor reports none');
}
