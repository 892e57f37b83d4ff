// POST /api/redeem — a key holder redeems a code for the account owning the key:
//   Authorization: Bearer sk-…   {"code": "<32 hex>"}
//   200 {"amount_usd": "10.00", "balance_usd": "12.50"}
// Errors are OpenAI-shaped like the relay's.
import { Elysia } from 'elysia';
import type { Gateway } from '../../context.ts';
import { authenticate, presentedKey } from '../auth.ts';
import { newRequestId } from '../call.ts';
import { errorResponse, RelayError } from '../protocols/openai/errors.ts';
import { redeemCode } from '../../billing/credits.ts';
import { nanoToUsd } from '../../billing/money.ts';

const REFUSED = {
  unknown: [404, 'This redemption code does not exist.', 'redemption_code_invalid'],
  used: [409, 'This redemption code has already been used.', 'redemption_code_used'],
  disabled: [403, 'This redemption code is disabled.', 'redemption_code_disabled'],
  no_user: [404, 'The account owning this API key no longer exists.', 'account_not_found'],
} as const;

export function redeemPlugin(gw: Gateway) {
  return new Elysia({ name: 'redeem' }).post('/api/redeem', async ({ request }) => {
    const requestId = newRequestId();
    try {
      const p = authenticate(gw.store, presentedKey(request.headers));
      const body = await request.json().catch(() => null) as { code?: unknown } | null;
      const code = typeof body?.code === 'string' ? body.code.trim() : '';
      if (!/^[0-9a-fA-F]{32}$/.test(code)) throw new RelayError(400, 'Send {"code": "<32 hex characters>"}.', 'invalid_request_error', 'invalid_code_format');
      const r = await redeemCode(gw.db.db, { code: code.toLowerCase(), userId: p.user.id, actor: `key:${p.key.id}` });
      if (!r.ok) {
        const [status, message, errCode] = REFUSED[r.reason];
        throw new RelayError(status, message, 'invalid_request_error', errCode);
      }
      await gw.invalidate();
      return Response.json({ amount_usd: nanoToUsd(r.amount), balance_usd: nanoToUsd(r.balance) }, { headers: { 'x-request-id': requestId } });
    } catch (e) {
      if (e instanceof RelayError) return errorResponse(e, requestId);
      throw e;
    }
  }, { parse: 'none' });
}
