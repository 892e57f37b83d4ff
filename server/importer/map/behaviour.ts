// One API options that change how the gateway behaves (not prices). The importer honours the
// ones Switchboard has a setting for and reports the rest with what Switchboard does instead.
// Names and meanings: songquanpeng/one-api model/option.go (updateOptionMap) and common/config.

export interface BehaviourOptions {
  /** AutomaticEnableChannelEnabled: the channel test re-enables channels it finds healthy again. */
  autoEnable: boolean | null;
  /** AutomaticDisableChannelEnabled: failing channels are disabled automatically. */
  autoDisable: boolean | null;
  /** RetryTimes: how many other channels a failed call is retried on. */
  retryTimes: number | null;
  /** Every other One API option the importer read, by name, for the report. */
  raw: Record<string, string>;
}

/** Options with a meaning in Switchboard, or worth a line in the report. */
const REPORTED = [
  'AutomaticEnableChannelEnabled',
  'AutomaticDisableChannelEnabled',
  'RetryTimes',
  'ChannelDisableThreshold',
  'PreConsumedQuota',
  'QuotaForNewUser',
  'QuotaForInviter',
  'QuotaForInvitee',
  'ApproximateTokenEnabled',
  'LogConsumeEnabled',
  'DisplayInCurrencyEnabled',
] as const;

export function behaviourOptions(opts: Map<string, string>): BehaviourOptions {
  const bool = (k: string) => (opts.has(k) ? opts.get(k) === 'true' : null);
  const retry = opts.get('RetryTimes');
  const retryTimes = retry !== undefined && /^\d+$/.test(retry.trim()) ? Number(retry.trim()) : null;
  const raw: Record<string, string> = {};
  for (const k of REPORTED) if (opts.has(k)) raw[k] = opts.get(k)!;
  return { autoEnable: bool('AutomaticEnableChannelEnabled'), autoDisable: bool('AutomaticDisableChannelEnabled'), retryTimes, raw };
}
