// One API `redemptions` row → Switchboard redemption code. Only codes that can still be redeemed
// matter; used ones are history (their value already sits in a user's balance).
import { hashClientKey, hintOf } from '../../secrets/crypto.ts';
import { asInt, asStr, asUnixDate, type Row } from '../values.ts';
import type { MapContext, Mapped } from './context.ts';

export interface CodeRow {
  name: string;
  code_hash: string;
  code_hint: string;
  amount: bigint;
  status: number;
  created_at: Date | null;
}

export interface CodePlan {
  /** The redeemable code itself; a secret, only used for redaction. */
  code: string;
  row: CodeRow;
}

export function mapRedemption(r: Row, ctx: MapContext): Mapped<CodePlan> {
  const id = asInt(r.id);
  const name = asStr(r.name);
  const label = name || `One API redemption #${id}`;
  const skip = (reason: string): Mapped<CodePlan> => ({ ok: false, oneapiId: id, label, reason });
  const status = asInt(r.status, 1);
  if (status === 3) return skip('already redeemed in One API (status 3)');
  if (r.deleted_at !== null && r.deleted_at !== undefined && asStr(r.deleted_at) !== '')
    return skip('soft-deleted in One API (deleted_at is set)');
  if (status !== 1 && status !== 2) return skip(`unknown One API status ${status}`);
  const code = asStr(r.key).trim();
  if (!code) return skip('empty code');
  const amount = ctx.nano(r.quota, `redemption #${id} quota`);
  if (amount <= 0n) return skip('worth nothing (quota ≤ 0)');
  return {
    ok: true,
    oneapiId: id,
    label,
    value: {
      code,
      row: {
        name,
        code_hash: hashClientKey(code),
        code_hint: hintOf(code),
        amount,
        // 2 = disabled by an admin: still unused, so it comes across disabled rather than lost.
        status,
        created_at: asUnixDate(r.created_time),
      },
    },
  };
}
