// Balance changes other than usage: top-ups, admin adjustments, refunds and redemptions.
// Each is one transaction: the balance update and its ledger row commit together.
import { randomUUID } from 'node:crypto';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { hashClientKey, hintOf } from '../secrets/crypto.ts';

export type CreditKind = 'topup' | 'adjust' | 'refund';

/** Add `amount` (negative for a debit) to a user's balance; returns the balance after, or null if no such user. */
export async function creditUser(
  db: Kysely<Database>,
  c: { userId: number; amount: bigint; kind: CreditKind; note: string | null; actor: string },
): Promise<bigint | null> {
  return db.transaction().execute((tx) => applyCredit(tx, c.userId, c.amount, c.kind, c.note, c.actor));
}

async function applyCredit(tx: Transaction<Database>, userId: number, amount: bigint, kind: CreditKind | 'redeem', note: string | null, actor: string): Promise<bigint | null> {
  const row = await tx.updateTable('users').set({ balance: sql`balance + ${amount.toString()}::int8`, updated_at: new Date() })
    .where('id', '=', userId).returning('balance').executeTakeFirst();
  if (!row) return null;
  await tx.insertInto('ledger').values({ user_id: userId, kind, amount, balance_after: row.balance, note, actor }).execute();
  return row.balance;
}

/** One API's redemption code format: a v4 UUID without dashes (32 hex characters). */
export function newRedemptionCode(): string {
  return randomUUID().replaceAll('-', '');
}

/** Create `count` codes worth `amount` each. The codes are returned here, once; only hashes are stored. */
export async function createCodes(db: Kysely<Database>, b: { name: string; amount: bigint; count: number; actor: string }): Promise<Array<{ id: number; code: string }>> {
  const codes = Array.from({ length: b.count }, newRedemptionCode);
  const rows = await db.insertInto('redemption_codes').values(codes.map((code) => ({
    name: b.name, code_hash: hashClientKey(code), code_hint: hintOf(code), amount: b.amount, created_by: b.actor,
    redeemed_at: null, redeemed_by: null, oneapi_id: null,
  }))).returning(['id', 'code_hash']).execute();
  const byHash = new Map(rows.map((r) => [r.code_hash, r.id]));
  return codes.map((code) => ({ id: byHash.get(hashClientKey(code))!, code }));
}

export type RedeemResult =
  | { ok: true; amount: bigint; balance: bigint }
  | { ok: false; reason: 'unknown' | 'used' | 'disabled' | 'no_user' };

/**
 * Redeem a code for a user, exactly once under any concurrency: the single UPDATE … WHERE
 * status = 1 lets one transaction win; the credit and its ledger row commit with it.
 */
export async function redeemCode(db: Kysely<Database>, r: { code: string; userId: number; actor: string }): Promise<RedeemResult> {
  const hash = hashClientKey(r.code.trim());
  return db.transaction().execute(async (tx): Promise<RedeemResult> => {
    const won = await tx.updateTable('redemption_codes').set({ status: 3, redeemed_at: new Date(), redeemed_by: r.userId })
      .where('code_hash', '=', hash).where('status', '=', 1).returning(['id', 'amount', 'code_hint']).executeTakeFirst();
    if (!won) {
      const row = await tx.selectFrom('redemption_codes').select('status').where('code_hash', '=', hash).executeTakeFirst();
      return { ok: false, reason: !row ? 'unknown' : row.status === 2 ? 'disabled' : 'used' };
    }
    const balance = await applyCredit(tx, r.userId, won.amount, 'redeem', `code ${won.code_hint} (#${won.id})`, r.actor);
    if (balance === null) throw new NoSuchUser();
    return { ok: true, amount: won.amount, balance };
  }).catch((e) => {
    if (e instanceof NoSuchUser) return { ok: false, reason: 'no_user' } as const;
    throw e;
  });
}

/** Rolls the redemption back: the code stays unused when the user does not exist. */
class NoSuchUser extends Error {}
