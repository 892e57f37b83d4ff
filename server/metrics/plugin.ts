// GET /metrics for Prometheus. Guarded by a bearer token: the `metrics.token` settings row,
// else the METRICS_TOKEN environment variable; ADMIN_KEY is always accepted.
import { timingSafeEqual } from 'node:crypto';
import { Elysia } from 'elysia';
import type { Gateway } from '../context.ts';
import type { Registry } from './registry.ts';

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

async function tokens(gw: Gateway): Promise<string[]> {
  const row = await gw.db.db.selectFrom('settings').select('value').where('key', '=', 'metrics.token').executeTakeFirst();
  const configured = typeof row?.value === 'string' && row.value ? row.value : process.env.METRICS_TOKEN;
  return [configured, gw.config.adminKey].filter((t): t is string => !!t);
}

export function metricsPlugin(gw: Gateway, registry: Registry) {
  return new Elysia({ name: 'metrics' }).get('/metrics', async ({ request }) => {
    const presented = /^Bearer\s+(.+)$/i.exec(request.headers.get('authorization') ?? '')?.[1]?.trim();
    if (!presented || !(await tokens(gw)).some((t) => same(t, presented))) {
      return new Response('metrics need Authorization: Bearer <METRICS_TOKEN>\n', { status: 401, headers: { 'www-authenticate': 'Bearer' } });
    }
    return new Response(registry.render(), { headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' } });
  });
}
