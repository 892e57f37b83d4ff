// OpenAI-style billing endpoints (OpenAI's legacy dashboard API and the resellers that copy it).
import type { BalanceApi, BalanceReading } from './types.ts';

export async function dashboardBalance(api: BalanceApi): Promise<BalanceReading> {
  const sub = await api.get('/v1/dashboard/billing/subscription');
  const day = 86_400_000;
  const date = (t: number) => new Date(t).toISOString().slice(0, 10);
  const usage = await api.get(`/v1/dashboard/billing/usage?start_date=${date(Date.now() - 99 * day)}&end_date=${date(Date.now() + day)}`);
  // hard_limit_usd is dollars, total_usage is cents.
  const nano = api.nano(sub.hard_limit_usd) - api.nano(Number(usage.total_usage) / 100);
  return { amount: api.decimal(nano), currency: 'USD' };
}
