// Who is calling the admin API, and what each procedure requires. ADMIN_KEY is the
// operator's machine key: it carries root authority but belongs to no account.
import type { Role } from '../../db/schema.ts';

/** The least a caller needs to reach a procedure; declared by every procedure (see server/admin/trpc.ts). */
export type Access = 'public' | 'user' | 'admin' | 'root';

export type Principal =
  | { kind: 'admin-key' }
  | { kind: 'session'; userId: number; role: Role; username: string; sessionId: string }
  | { kind: 'pat'; userId: number; role: Role; username: string; tokenId: number };

export type UserPrincipal = Exclude<Principal, { kind: 'admin-key' }>;

const RANK: Record<Role, number> = { user: 1, admin: 2, root: 3 };
const NEEDS: Record<Access, number> = { public: 0, user: 1, admin: 2, root: 3 };

export function rankOf(p: Principal | null): number {
  if (!p) return 0;
  return p.kind === 'admin-key' ? RANK.root : RANK[p.role];
}

export function allows(p: Principal | null, access: Access): boolean {
  return rankOf(p) >= NEEDS[access];
}

/** Root authority: the root account or ADMIN_KEY. */
export function isRoot(p: Principal): boolean {
  return rankOf(p) >= RANK.root;
}

/** What ledger rows, codes and audit rows record as the actor. */
export function principalName(p: Principal | null): string {
  if (!p) return 'anonymous';
  return p.kind === 'admin-key' ? 'admin-key' : p.username;
}
