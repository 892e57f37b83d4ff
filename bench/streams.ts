// `bun run bench:streams`: 2,000 concurrent SSE streams (ramped in over 1 s, each 8 chunks
// one second apart) against a slow mock upstream directly, then through one Switchboard
// instance (key auth, metering, Postgres logging on). Reports the added time to first
// byte, the gateway's RSS before and at peak, and checks every stream was billed exactly.
//   BENCH_STREAMS=2000 bun run bench:streams
import { join } from 'node:path';
import { cpuSeconds, exactness, RUNTIME_ENV, freshDatabase, root, rssMiB, seedRelay, startGatewayProcess } from './kit.ts';

const STREAMS = Number(process.env.BENCH_STREAMS ?? 2000);
const MOCK_PORT = 9110;

interface ClientResult { streams: number; completed: number; failed: Record<string, number>; p50: number; p95: number; p99: number; max: number; seconds: number }

async function runClient(url: string, key?: string): Promise<ClientResult> {
  const p = Bun.spawn(['bun', join(root, 'bench/streams/client.ts')], {
    env: { ...process.env, ...RUNTIME_ENV, URL: url, KEY: key ?? 'sk-direct', STREAMS: String(STREAMS), RAMP_MS: '1000' },
    stdout: 'pipe', stderr: 'inherit',
  });
  const out = await new Response(p.stdout).text();
  await p.exited;
  return JSON.parse(out.trim().split('\n').at(-1)!) as ClientResult;
}

async function main() {
  const mock = Bun.spawn(['bun', join(root, 'bench/streams/mock-upstream.ts')], { env: { ...process.env, PORT: String(MOCK_PORT) }, stdout: 'inherit', stderr: 'inherit' });
  for (let i = 0; i < 50 && !(await fetch(`http://127.0.0.1:${MOCK_PORT}/stats`).then((r) => r.ok, () => false)); i++) await Bun.sleep(100);
  const db = await freshDatabase();
  const gw = await startGatewayProcess({ databaseUrl: db.url, port: 3900 + Math.floor(Math.random() * 90) });
  try {
    const key = await seedRelay(gw.url, [{ name: 'slow-sse', baseUrl: `http://127.0.0.1:${MOCK_PORT}`, models: ['gpt-4o-mini'] }]);
    // Warm-up: a few streams each way (connection pools, JIT).
    await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] }) }).then((r) => r.text());

    const direct = await runClient(`http://127.0.0.1:${MOCK_PORT}/v1/chat/completions`);
    const directPeak = await fetch(`http://127.0.0.1:${MOCK_PORT}/stats`).then((r) => r.json()) as { peak: number };

    Bun.gc(true);
    await Bun.sleep(1000);
    const rssIdle = rssMiB(gw.proc.pid);
    let rssPeak = rssIdle;
    const sampler = setInterval(() => { rssPeak = Math.max(rssPeak, rssMiB(gw.proc.pid)); }, 100);
    const cpu0 = cpuSeconds(gw.proc.pid);
    // Reset the mock's peak so it counts the gateway's upstream connections only.
    await fetch(`http://127.0.0.1:${MOCK_PORT}/stats?reset`);
    const through = await runClient(`${gw.url}/v1/chat/completions`, key);
    clearInterval(sampler);
    const cpu = cpuSeconds(gw.proc.pid) - cpu0;
    const upstreamPeak = await fetch(`http://127.0.0.1:${MOCK_PORT}/stats`).then((r) => r.json()) as { peak: number };
    await Bun.sleep(1500);
    const ex = await exactness(db.sql);
    const [logged] = await db.sql<Array<{ ok: number; other: number }>>`SELECT count(*) FILTER (WHERE status = 200)::int AS ok, count(*) FILTER (WHERE status <> 200)::int AS other FROM call_logs`;

    const ms = (v: number) => `${v.toFixed(1)} ms`;
    console.log(`\nSwitchboard concurrent streams — ${new Date().toISOString()}, ${navigator.hardwareConcurrency} cores, ${STREAMS} SSE streams ramped in over 1 s, 8 chunks 1 s apart, Postgres logging on\n`);
    console.log(`direct to mock:       ${direct.completed}/${direct.streams} complete, failed ${JSON.stringify(direct.failed)}; TTFB p50 ${ms(direct.p50)}, p95 ${ms(direct.p95)}, p99 ${ms(direct.p99)}, max ${ms(direct.max)}; mock saw ${directPeak.peak} open at once`);
    console.log(`through Switchboard:  ${through.completed}/${through.streams} complete, failed ${JSON.stringify(through.failed)}; TTFB p50 ${ms(through.p50)}, p95 ${ms(through.p95)}, p99 ${ms(through.p99)}, max ${ms(through.max)}; upstream saw ${upstreamPeak.peak} open at once`);
    console.log(`  added time to first byte: p50 ${ms(through.p50 - direct.p50)}, p95 ${ms(through.p95 - direct.p95)}, p99 ${ms(through.p99 - direct.p99)}`);
    console.log(`  gateway RSS: ${rssIdle.toFixed(0)} MiB idle → ${rssPeak.toFixed(0)} MiB peak (${(((rssPeak - rssIdle) * 1024) / STREAMS).toFixed(1)} KiB per stream); gateway CPU ${cpu.toFixed(1)} s over ${through.seconds.toFixed(1)} s`);
    console.log(`  logged: ${logged!.ok} × 200, ${logged!.other} other; Σ cost = ${ex.cost} nano-USD; balance change = ${ex.spent} nano-USD; ${ex.exact ? 'exact' : 'MISMATCH'}`);
  } finally {
    await gw.stop();
    mock.kill();
    await db.drop();
  }
}

await main();
