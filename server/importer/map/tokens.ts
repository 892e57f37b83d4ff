// One API `tokens` row → Switchboard client key. The stored key is 48 characters without `sk-`;
// clients send `sk-<key>`, so that is what gets hashed.
import { hashClientKey, hintOf } from '../../secrets/crypto.ts';
import { asBigInt, asBool, asInt, asStr, asUnixDate, splitList, type Row } from '../values.ts';
import { checkInt8, type MapContext, type Mapped } from './context.ts';

export interface KeyRow {
  name: string;
  key_hash: string;
  key_hint: string;
  status: number;
  budget: bigint | null;
  used: bigint;
  expires_at: Date | null;
  models: string[] | null;
  ip_allow: string[] | null;
  groups: string[] | null;
  created_at: Date | null;
  last_used_at: Date | null;
}

export interface KeyPlan {
  ownerOneapiId: number;
  /** The full client key (`sk-…`); a secret, only used for redaction. */
  clientKey: string;
  row: KeyRow;
}

/** ownerSkips: One API user id → why that user was skipped (absent = imported). */
export function mapToken(r: Row, ctx: MapContext, users: Set<number>, ownerSkips: Map<number, string>): Mapped<KeyPlan> {
  const id = asInt(r.id);
  const name = asStr(r.name);
  const label = name || `One API token #${id}`;
  const owner = asInt(r.user_id);
  const skip = (reason: string): Mapped<KeyPlan> => ({ ok: false, oneapiId: id, label, reason });
  if (r.deleted_at !== null && r.deleted_at !== undefined && asStr(r.deleted_at) !== '')
    return skip('soft-deleted in One API (deleted_at is set)');
  const ownerSkip = ownerSkips.get(owner);
  if (ownerSkip) return skip(`owner user #${owner} was skipped: ${ownerSkip}`);
  if (!users.has(owner)) return skip(`owner user #${owner} does not exist in One API`);
  const raw = asStr(r.key).trim();
  if (!raw) return skip('empty key');
  // Some forks store the prefix too; never double it.
  const clientKey = raw.startsWith('sk-') ? raw : `sk-${raw}`;

  const status = asInt(r.status, 1);
  if (status < 1 || status > 4) ctx.note(`token #${id} (${label}): unknown One API status ${status}, imported as disabled`);
  const where = `token #${id}`;
  const used = ctx.nano(r.used_quota, `${where} used_quota`);
  const unlimited = asBool(r.unlimited_quota);
  // Budget is a cap on lifetime spend; One API's remain_quota is what is left of it.
  const budget = unlimited ? null : used + ctx.nano(r.remain_quota, `${where} remain_quota`);
  if (budget !== null) checkInt8(budget, `${where} (${label})`, 'used_quota + remain_quota');

  return {
    ok: true,
    oneapiId: id,
    label,
    value: {
      ownerOneapiId: owner,
      clientKey,
      row: {
        name,
        key_hash: hashClientKey(clientKey),
        key_hint: hintOf(clientKey),
        status: status >= 1 && status <= 4 ? status : 2,
        budget,
        used,
        expires_at: asBigInt(r.expired_time, -1n) > 0n ? asUnixDate(r.expired_time) : null,
        models: tokenModels(r),
        ip_allow: nullIfEmpty(splitList(r.subnet ?? r.allow_ips, /[,\n]/)),
        groups: asStr(r.group).trim() ? [asStr(r.group).trim()] : null,
        created_at: asUnixDate(r.created_time),
        last_used_at: asUnixDate(r.accessed_time),
      },
    },
  };
}

/** songquanpeng keeps `models`; New API keeps `model_limits` behind `model_limits_enabled`. */
function tokenModels(r: Row): string[] | null {
  if ('models' in r) return nullIfEmpty(splitList(r.models, /,/));
  if ('model_limits' in r && asBool(r.model_limits_enabled)) return nullIfEmpty(splitList(r.model_limits, /,/));
  return null;
}

function nullIfEmpty(list: string[]): string[] | null {
  return list.length ? list : null;
}
