// One API `channels` row → Switchboard channel plus its upstream key pool.
import { usdToNano } from '../money.ts';
import {
  asBigInt,
  asInt,
  asStr,
  asUnixDate,
  parseJsonObject,
  splitList,
  type Row,
} from '../values.ts';
import { channelSettings } from './channel-settings.ts';
import { checkInt8, RowValueError, type MapContext, type Mapped } from './context.ts';

export interface ChannelRow {
  name: string;
  type: number;
  base_url: string;
  models: string[];
  model_mapping: Record<string, string>;
  priority: number;
  weight: number;
  groups: string[];
  status: number;
  status_reason: string | null;
  config: Record<string, string>;
  headers: Record<string, string>;
  param_override: Record<string, unknown>;
  system_prompt: string | null;
  balance: bigint | null;
  balance_updated_at: Date | null;
  used: bigint;
  test_at: Date | null;
  test_latency_ms: number | null;
  created_at: Date | null;
}

export interface ChannelPlan {
  row: ChannelRow;
  /** Upstream keys, one per pool row; secrets, never reported. */
  keys: string[];
  /** Credentials One API kept in `config` (moved into `keys`), for redaction. */
  secrets: string[];
  /** One API's own model_mapping: the model it billed (row.model_mapping may add vendor ids). */
  billedMapping: Record<string, string>;
}

const TYPE_AI_PROXY_LIBRARY = 21;
const TYPE_ALI = 17;
const INT32_MAX = 2_147_483_647;
const INT32_MIN = -2_147_483_648;

export function mapChannel(r: Row, ctx: MapContext): Mapped<ChannelPlan> {
  const id = asInt(r.id);
  const type = asInt(r.type);
  const name = asStr(r.name).trim() || `One API channel #${id}`;
  const where = `channel #${id} (${name})`;

  const mapping = parseJsonObject(r.model_mapping);
  const modelMapping: Record<string, string> = {};
  if (mapping === null) ctx.note(`${where}: model_mapping is not a JSON object, imported as {} (One API ignored it too)`);
  else
    for (const [k, v] of Object.entries(mapping)) {
      if (typeof v === 'string') modelMapping[k] = v;
      else ctx.note(`${where}: model_mapping entry "${k}" is not a string, dropped`);
    }

  const { status, reason } = channelStatus(asInt(r.status, 1), r.other_info);
  const priority = clampInt(asBigInt(r.priority), where, 'priority', ctx);
  const rawWeight = clampInt(asBigInt(r.weight), where, 'weight', ctx);
  const balanceTime = asUnixDate(r.balance_updated_time);
  const testAt = asUnixDate(r.test_time);
  const responseTime = asInt(r.response_time);
  const balance = channelBalance(r.balance, balanceTime !== null, where, ctx);
  const models = splitList(r.models, /,/);
  const settings = channelSettings(type, channelConfig(r, type, where, ctx), splitKeys(r.key), models, modelMapping);
  for (const n of settings.notes) ctx.note(`${where}: ${n}`);

  return {
    ok: true,
    oneapiId: id,
    label: name,
    value: {
      keys: settings.keys,
      secrets: settings.secrets,
      billedMapping: modelMapping,
      row: {
        name,
        type,
        base_url: asStr(r.base_url).trim(),
        models,
        model_mapping: { ...modelMapping, ...settings.vendorMapping },
        priority,
        weight: rawWeight > 0 ? rawWeight : 1,
        groups: orDefault(splitList(r.group, /,/)),
        status,
        status_reason: reason,
        config: settings.config,
        headers: stringRecord(parseJsonObject(r.header_override) ?? {}),
        param_override: parseJsonObject(r.param_override) ?? {},
        system_prompt: asStr(r.system_prompt) || null,
        balance,
        balance_updated_at: balanceTime,
        used: ctx.nano(r.used_quota, `${where} used_quota`),
        test_at: testAt,
        test_latency_ms: testAt !== null || responseTime > 0 ? responseTime : null,
        created_at: asUnixDate(r.created_time),
      },
    },
  };
}

/** New API keeps several keys in one field, one per line; composite keys (`AK|SK`, `id.secret`) stay whole. */
export function splitKeys(v: unknown): string[] {
  return splitList(v, /\r?\n/);
}

function channelStatus(raw: number, otherInfo: unknown): { status: number; reason: string | null } {
  // New API records why a channel was disabled in other_info; songquanpeng's One API only emails it.
  const info = parseJsonObject(otherInfo);
  const recorded = info && typeof info.status_reason === 'string' && info.status_reason.trim() ? info.status_reason.trim() : null;
  switch (raw) {
    case 1:
      return { status: 1, reason: null };
    case 2:
      return { status: 2, reason: recorded ?? 'disabled by hand in One API' };
    case 3:
      return { status: 3, reason: recorded ?? 'auto-disabled by One API (the source did not record why)' };
    default:
      return { status: 2, reason: `unknown One API status ${raw}, imported as disabled` };
  }
}

/** `config` JSON, with the legacy `other` column filling the field it meant for this channel type. */
function channelConfig(r: Row, type: number, where: string, ctx: MapContext): Record<string, string> {
  const parsed = parseJsonObject(r.config);
  if (parsed === null) ctx.note(`${where}: config is not a JSON object, imported as {}`);
  const config = stringRecord(parsed ?? {});
  const other = asStr(r.other).trim();
  if (other) {
    const field = type === TYPE_AI_PROXY_LIBRARY ? 'library_id' : type === TYPE_ALI ? 'plugin' : 'api_version';
    if (!config[field]) config[field] = other;
  }
  return config;
}

function channelBalance(v: unknown, everUpdated: boolean, where: string, ctx: MapContext): bigint | null {
  if (v === null || v === undefined) return null;
  try {
    const { value, exact } = usdToNano(typeof v === 'number' || typeof v === 'bigint' ? v : asStr(v));
    checkInt8(value, `${where} balance`, `${asStr(v)} USD`);
    if (!everUpdated && value === 0n) return null; // never fetched: unknown, not $0
    if (!exact) ctx.note(`${where}: balance ${asStr(v)} USD has sub-nano digits, rounded half-up`);
    return value;
  } catch (e) {
    if (e instanceof RowValueError) throw e;
    ctx.note(`${where}: balance is not a number, left unset`);
    return null;
  }
}

function clampInt(v: bigint, where: string, field: string, ctx: MapContext): number {
  if (v > BigInt(INT32_MAX) || v < BigInt(INT32_MIN)) {
    const clamped = v > 0n ? INT32_MAX : INT32_MIN;
    ctx.note(`${where}: ${field} ${v} is outside 32-bit range, clamped to ${clamped}`);
    return clamped;
  }
  return Number(v);
}

function stringRecord(o: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === null || v === undefined) continue;
    out[k] = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return out;
}

function orDefault(groups: string[]): string[] {
  return groups.length ? groups : ['default'];
}
