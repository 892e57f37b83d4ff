// Writes audit rows. tRPC mutations get one through the audit middleware (server/admin/trpc.ts);
// other admin entry points (REST) call recordAudit directly.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { maskSecrets, safeText } from './mask.ts';
import { type Principal, principalName } from './principal.ts';

export interface AuditEntry {
  principal: Principal | null;
  action: string;
  target?: string | null;
  input?: unknown;
  before?: unknown;
  after?: unknown;
  ok: boolean;
  error?: string | null;
  ip: string | null;
}

/** jsonb takes objects: scalars and arrays are wrapped so drivers never see them as SQL types. */
function asJson(value: unknown): unknown {
  const masked = maskSecrets(value);
  if (masked === null) return null;
  return typeof masked === 'object' && !Array.isArray(masked) ? masked : { value: masked };
}

export async function recordAudit(db: Kysely<Database>, e: AuditEntry): Promise<void> {
  const p = e.principal;
  await db.insertInto('audit_log').values({
    actor_kind: p ? p.kind : 'anonymous',
    actor_user_id: p && p.kind !== 'admin-key' ? p.userId : null,
    actor_name: safeText(principalName(p)),
    action: safeText(e.action),
    target: e.target == null ? null : safeText(e.target),
    input: asJson(e.input),
    before: asJson(e.before),
    after: asJson(e.after),
    ok: e.ok,
    error: e.error == null ? null : safeText(e.error),
    ip: e.ip == null ? null : safeText(e.ip),
  }).execute();
}
