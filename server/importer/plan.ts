// Map every source row to what Switchboard should hold, collecting skips and the secrets
// that must never reach the report.
import { mapChannel, type ChannelPlan } from './map/channels.ts';
import { MapContext, type Mapped } from './map/context.ts';
import { mapLog, type LogPlan } from './map/logs.ts';
import { mapOptions, type OptionsPlan } from './map/options.ts';
import { planPrices, type PricesPlan } from './map/prices.ts';
import { mapRedemption, type CodePlan } from './map/redemptions.ts';
import { mapToken, type KeyPlan } from './map/tokens.ts';
import { mapUser, type UserRow } from './map/users.ts';
import type { ReportBuilder, TableName } from './report.ts';
import type { SourceData } from './read.ts';
import { asInt, asStr, asUnixDate } from './values.ts';
import type { CodeState } from './write/codes.ts';

export type Ok<T> = Extract<Mapped<T>, { ok: true }>;

export interface ImportPlan {
  options: OptionsPlan;
  prices: PricesPlan;
  users: Ok<UserRow>[];
  keys: Ok<KeyPlan>[];
  channels: Ok<ChannelPlan>[];
  codes: Ok<CodePlan>[];
  /** Every One API redemption row's state, to close codes redeemed or deleted there since the last run. */
  codeStates: Map<number, CodeState>;
  /** One API ids to keep enabled; everything else imported before is disabled, with these reasons. */
  gone: { users: Map<number, string>; tokens: Map<number, string> };
  logs: LogPlan[];
  /** Every group a user, key or channel names: each needs a row in `groups`. */
  referencedGroups: Set<string>;
  secrets: Set<string>;
}

/** Config fields that hold credentials (AWS ak/sk, a Vertex AI service-account JSON). */
const SECRET_CONFIG_FIELDS = ['ak', 'sk', 'vertex_ai_adc'];

export function buildPlan(data: SourceData, rb: ReportBuilder): ImportPlan {
  const options = mapOptions(data.options);
  const ctx = new MapContext(options.quotaPerUnit);
  for (const n of options.notes) ctx.note(n);
  for (const s of options.priceSkips) rb.skipped('prices', s.oneapiId, s.label, s.reason);
  for (const s of options.groupSkips) rb.skipped('groups', s.oneapiId, s.label, s.reason);
  for (const t of data.missingTables) ctx.note(`source has no ${t} table: nothing imported from it`);
  const secrets = new Set<string>();

  const mappedUsers = data.users.map((r) => mapUser(r, ctx));
  const ownerSkips = new Map<number, string>();
  for (const m of mappedUsers) if (!m.ok) ownerSkips.set(m.oneapiId, m.reason);
  const users = keep(mappedUsers, 'users', rb);
  for (const u of users) if (u.value.password_hash) secrets.add(u.value.password_hash);

  const userIds = new Set(data.users.map((r) => asInt(r.id)));
  const mappedTokens = data.tokens.map((r) => mapToken(r, ctx, userIds, ownerSkips));
  const keys = keep(mappedTokens, 'api_keys', rb);
  for (const r of data.tokens) addSecret(secrets, asStr(r.key).trim());
  for (const k of keys) secrets.add(k.value.clientKey);

  const channels = keep(data.channels.map((r) => mapChannel(r, ctx)), 'channels', rb);
  for (const c of channels) {
    for (const k of c.value.keys) addSecret(secrets, k);
    for (const f of SECRET_CONFIG_FIELDS) addSecret(secrets, c.value.row.config[f] ?? '');
    for (const v of c.value.secrets) addSecret(secrets, v);
    // Keys packed as `a|b|c`: each credential part is a secret on its own too.
    for (const k of c.value.keys) if (k.includes('|')) for (const part of k.split('|')) if (part.trim().length >= 16) addSecret(secrets, part.trim());
  }

  const prices = planPrices(options.ratios, options.optionModels, channels);
  for (const n of prices.notes) ctx.note(n);

  const codes = keep(data.redemptions.map((r) => mapRedemption(r, ctx)), 'redemption_codes', rb);
  for (const r of data.redemptions) addSecret(secrets, asStr(r.key).trim());
  const codeStates = new Map<number, CodeState>();
  for (const r of data.redemptions)
    codeStates.set(asInt(r.id), {
      status: asInt(r.status, 1),
      redeemedAt: asUnixDate(r.redeemed_time),
      deleted: r.deleted_at !== null && r.deleted_at !== undefined && asStr(r.deleted_at) !== '',
      label: asStr(r.name),
    });
  const gone = { users: new Map<number, string>(), tokens: new Map<number, string>() };
  for (const m of mappedUsers) if (!m.ok) gone.users.set(m.oneapiId, m.reason);
  for (const m of mappedTokens) if (!m.ok) gone.tokens.set(m.oneapiId, m.reason);

  const logs = data.logs.map((r) => mapLog(r, ctx));

  const referencedGroups = new Set<string>(['default']);
  for (const u of users) referencedGroups.add(u.value.group_name);
  for (const c of channels) for (const g of c.value.row.groups) referencedGroups.add(g);
  for (const k of keys) for (const g of k.value.row.groups ?? []) referencedGroups.add(g);

  for (const n of ctx.notes) rb.note(n);
  rb.report.quotaPerUnit = options.quotaPerUnitText;
  return { options, prices, users, keys, channels, codes, codeStates, gone, logs, referencedGroups, secrets };
}

function keep<T>(mapped: Mapped<T>[], table: TableName, rb: ReportBuilder): Ok<T>[] {
  const out: Ok<T>[] = [];
  for (const m of mapped) {
    if (m.ok) out.push(m);
    else rb.skipped(table, m.oneapiId, m.label, m.reason);
  }
  return out;
}

function addSecret(secrets: Set<string>, s: string): void {
  if (s) secrets.add(s);
}
