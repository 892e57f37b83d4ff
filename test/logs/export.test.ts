// CSV export streams any filtered range page by page: a 100k-row export keeps the server's
// memory flat, cells are quoted safely, and a user exports only its own calls.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { csvCell } from '../../server/logs/export-csv.ts';
import { ADMIN_KEY, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { insertFixtures, insertSeries } from './fixtures.ts';

const ROWS = 100_000;

describe('CSV export', () => {
  let g: TestGateway;
  let users: number[];
  const now = Date.now();

  beforeAll(async () => {
    g = await startTestGateway('postgres');
    users = [];
    for (const name of ['csv_ann', 'csv_bob']) users.push((await g.admin.users.create.mutate({ username: name })).id);
    await insertSeries(g, ROWS, now - 60_000, 500);
    await insertFixtures(g, { count: 40, users, newest: now - 10 * 86_400_000 });
  }, 120_000);
  afterAll(() => g.close());

  const get = (query: string, token = ADMIN_KEY) => fetch(`${g.url}/api/logs/export.csv?${query}`, { headers: { authorization: `Bearer ${token}` } });

  test(`${ROWS} rows stream out with bounded memory`, async () => {
    Bun.gc(true);
    const rss0 = process.memoryUsage().rss;
    const heap0 = process.memoryUsage().heapUsed / 1048576;
    let peak = rss0;
    const from = new Date(now - 60_000 - ROWS * 500 - 1000).toISOString();
    const res = await get(`from=${from}&to=${new Date(now).toISOString()}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="switchboard-calls-.*\.csv"/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let bytes = 0;
    let rows = -1; // the header line
    let head = '';
    /** JS heap in use (MiB) after a full GC at each quarter of the export: what the export holds, not garbage or allocator slack. */
    const settled: number[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      const text = decoder.decode(value, { stream: true });
      if (head.length < 4000) head += text;
      rows += text.split('\r\n').length - 1;
      peak = Math.max(peak, process.memoryUsage().rss);
      if (rows >= ((settled.length + 1) * ROWS) / 4) {
        Bun.gc(true);
        settled.push(process.memoryUsage().heapUsed / 1048576);
      }
    }
    const growthMb = (peak - rss0) / 1048576;
    console.log(`export: ${rows} rows, ${(bytes / 1048576).toFixed(1)} MiB of CSV; peak RSS growth ${growthMb.toFixed(1)} MiB; heap in use at start ${heap0.toFixed(0)} MiB, after GC at each quarter: ${settled.map((m) => m.toFixed(0)).join(', ')} MiB`);
    expect(rows).toBe(ROWS);
    expect(bytes).toBeGreaterThan(15 * 1048576);
    // What the export holds (live heap after a GC) stays near the start and does not grow with
    // the range. Holding the rows would: the last three quarters alone are 12 MiB of CSV and
    // several times that in row objects.
    expect(settled).toHaveLength(4);
    expect(Math.max(...settled) - heap0).toBeLessThan(32);
    expect(settled[3]! - settled[0]!).toBeLessThan(12);
    // Garbage between collections is the runtime's business; a loose sanity bound only.
    expect(growthMb).toBeLessThan(160);
    expect(head.split('\r\n')[0]).toBe('id,request_id,created_at,user_id,key_id,channel_id,channels_attempted,endpoint,model,upstream_model,stream,status,error_type,error_message,prompt_tokens,completion_tokens,cached_tokens,cache_write_tokens,reasoning_tokens,cost_usd,latency_ms,ttft_ms,overhead_us,client_ip,user_agent,estimated,affinity');
    expect(head).toContain(',"series-agent, ""quoted""",');
  }, 120_000);

  test('filters apply, cells are escaped, a user exports only its own rows', async () => {
    const res = await get('model=m-1&status=5xx');
    const text = await res.text();
    const lines = text.split('\r\n').filter(Boolean);
    // 502s are every 40th row; m-1 is every third.
    const expected = Array.from({ length: ROWS }, (_, k) => k + 1).filter((n) => n % 40 === 0 && n % 3 === 1).length;
    expect(lines.length - 1).toBe(expected);
    expect(text).toContain('"upstream said:\nno, ""really"""');

    const { token } = await g.gw.auth.tokens.create(users[0]!, 'csv', null);
    const mine = (await (await get('', token)).text()).split('\r\n').filter(Boolean).slice(1);
    expect(mine.length).toBe(20);
    for (const line of mine) expect(line.split(',')[3]).toBe(String(users[0]));
    // A formula-looking user agent is neutralised.
    expect(mine.some((l) => l.includes(`'=cmd|`))).toBe(true);
  }, 60_000);

  test('needs credentials and a valid filter', async () => {
    expect((await fetch(`${g.url}/api/logs/export.csv`)).status).toBe(401);
    const bad = await get('keyId=abc&status=weird');
    expect(bad.status).toBe(400);
    const body = await bad.json() as { error: { fields: Record<string, string> } };
    expect(Object.keys(body.error.fields).sort()).toEqual(['keyId', 'status']);
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell(-5)).toBe('-5');
  });
});
