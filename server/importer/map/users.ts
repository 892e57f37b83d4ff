// One API `users` row → Switchboard user. Root handling and username clashes need the target
// database, so they are settled in write/users.ts; this only says what One API meant.
import type { Role } from '../../../db/schema.ts';
import { asInt, asStr, asUnixDate, type Row } from '../values.ts';
import type { MapContext, Mapped } from './context.ts';

export interface UserRow {
  username: string;
  display_name: string;
  password_hash: string | null;
  role: Role;
  status: number;
  group_name: string;
  balance: bigint;
  used: bigint;
  created_at: Date | null;
}

const ROLES: Record<number, Role> = { 1: 'user', 10: 'admin', 100: 'root' };

export function mapUser(r: Row, ctx: MapContext): Mapped<UserRow> {
  const id = asInt(r.id);
  const username = asStr(r.username);
  const label = username || `One API user #${id}`;
  const status = asInt(r.status, 1);
  // Deleted users were already locked out of One API (and renamed `deleted_<uuid>`); their
  // balance is void. Bringing them back, even disabled, would resurrect accounts the operator removed.
  if (status === 3) return { ok: false, oneapiId: id, label, reason: 'deleted in One API (status 3)' };
  if (r.deleted_at !== null && r.deleted_at !== undefined && asStr(r.deleted_at) !== '')
    return { ok: false, oneapiId: id, label, reason: 'soft-deleted in One API (deleted_at is set)' };
  if (!username.trim()) return { ok: false, oneapiId: id, label, reason: 'empty username' };

  const rawRole = asInt(r.role, 1);
  const role = ROLES[rawRole] ?? 'user';
  if (!ROLES[rawRole]) ctx.note(`user #${id} (${username}): unknown One API role ${rawRole}, imported as user`);
  if (status !== 1 && status !== 2) ctx.note(`user #${id} (${username}): unknown One API status ${status}, imported as disabled`);
  const hash = asStr(r.password);
  return {
    ok: true,
    oneapiId: id,
    label,
    value: {
      username,
      display_name: asStr(r.display_name),
      // OAuth-only users have no password in One API; null keeps them out of password login.
      password_hash: hash ? hash : null,
      role,
      status: status === 1 ? 1 : 2,
      group_name: asStr(r.group).trim() || 'default',
      balance: ctx.nano(r.quota, `user #${id} (${username}) quota`),
      used: ctx.nano(r.used_quota, `user #${id} (${username}) used_quota`),
      created_at: asUnixDate(r.created_time),
    },
  };
}
