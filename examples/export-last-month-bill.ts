// Last calendar month's bill as CSV (model, calls, tokens, cost in USD), for the token's owner;
// admins may pass --user-id to bill someone else.
//   SWITCHBOARD_TOKEN=sbp_… bun examples/export-last-month-bill.ts > bill.csv
import { nanoToUsd } from '../server/billing/money.ts';
import { arg, client } from './env.ts';

const sb = client();
const now = new Date();
const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
const userId = arg('user-id', '');

const bill = await sb.billing.bills.query({ from, to, by: 'model', ...(userId ? { userId: Number(userId) } : {}) });

const lines = ['model,calls,prompt_tokens,completion_tokens,cached_tokens,cost_usd'];
for (const r of bill.rows) lines.push([JSON.stringify(String(r.group)), r.calls, r.promptTokens, r.completionTokens, r.cachedTokens, nanoToUsd(r.cost)].join(','));
lines.push(['"total"', bill.total.calls, '', '', '', nanoToUsd(bill.total.cost)].join(','));
process.stderr.write(`bill for ${from.toISOString().slice(0, 7)} (${bill.timezone})\n`);
process.stdout.write(lines.join('\n') + '\n');
