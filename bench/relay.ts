// `bun run bench`: wrk for 10 s against the nginx mock upstream directly, through a bare
// 10-line Bun fetch proxy, and through Switchboard (key auth, metering and Postgres logging
// on), non-stream and stream, plus a one-connection latency run to measure the gateway's
// added p50/p99, and the resident memory of the gateway's process tree idle and after load.
// The machine is shared: compare ratios from one run, not absolute figures across runs.
//   BENCH_DURATION=10s BENCH_CONNECTIONS=64 BENCH_DATABASE_URL=postgres://… bun run bench
import { join } from 'node:path';
import { ensureTools, exactness, freshDatabase, root, seedRelay, startBareProxy, startGatewayProcess, startNginxMock, treeRssMiB, wrk, type WrkResult } from './kit.ts';

const duration = process.env.BENCH_DURATION ?? '10s';
const connections = Number(process.env.BENCH_CONNECTIONS ?? 64);

async function main() {
  ensureTools();
  const stopMock = startNginxMock();

  const db = await freshDatabase();
  const gateway = await startGatewayProcess({ databaseUrl: db.url, port: 3900 + Math.floor(Math.random() * 90), profileDir: process.env.BENCH_PROFILE });
  const only = process.env.BENCH_ONLY; // 'json' runs only the 64-connection JSON comparison
  const url = gateway.url;
  const key = await seedRelay(url, [
    { name: 'nginx-json', baseUrl: 'http://127.0.0.1:9100', models: ['gpt-4o-mini'] },
    // Streaming: the same model name, mapped, on the SSE mock.
    { name: 'nginx-sse', baseUrl: 'http://127.0.0.1:9101', models: ['gpt-4o-mini-stream'], mapping: { 'gpt-4o-mini-stream': 'gpt-4o-mini' } },
  ]);

  const bare = startBareProxy('http://127.0.0.1:9100');
  try {
    await Bun.sleep(3_000);
    const idleRss = treeRssMiB(gateway.proc.pid);
    // Warm up all paths (connection pools, JIT): the figures are the steady state.
    wrk('http://127.0.0.1:9100/v1/chat/completions', 8, '2s');
    wrk(`${bare.url}/v1/chat/completions`, connections, '3s');
    wrk(`${url}/v1/chat/completions`, connections, '5s', { key });

    const direct = wrk('http://127.0.0.1:9100/v1/chat/completions', connections, duration);
    const bareRun = wrk(`${bare.url}/v1/chat/completions`, connections, duration);
    const through = wrk(`${url}/v1/chat/completions`, connections, duration, { key });
    const loadedRss = treeRssMiB(gateway.proc.pid);
    if (only === 'json') {
      await Bun.sleep(1500);
      const failed = await db.sql`SELECT status, error_type, left(error_message, 160) AS message, count(*)::int AS n FROM call_logs WHERE status <> 200 GROUP BY 1, 2, 3`;
      for (const f of failed) console.log(`  ${f.n} × ${f.status} ${f.error_type}: ${f.message}`);
      console.log(`direct ${direct.rps.toFixed(0)} req/s; through ${through.rps.toFixed(0)} req/s (p50 ${through.p50ms} ms, p99 ${through.p99ms} ms, non-2xx ${through.non2xx}); ratio ${(through.rps / direct.rps).toFixed(3)}`);
      return;
    }
    const direct1 = wrk('http://127.0.0.1:9100/v1/chat/completions', 1, '5s');
    const through1 = wrk(`${url}/v1/chat/completions`, 1, '5s', { key });

    const streamDirect = wrk('http://127.0.0.1:9101/v1/chat/completions', connections, duration);
    const streamRps = wrk(`${url}/v1/chat/completions`, connections, duration, { key, script: join(root, 'bench/chat-stream.lua') }).rps;

    await Bun.sleep(500);
    const { calls: n, cost, spent } = await exactness(db.sql);

    const row = (name: string, r: WrkResult) => `${name.padEnd(34)} ${r.rps.toFixed(0).padStart(8)} req/s   p50 ${r.p50ms.toFixed(3).padStart(7)} ms   p99 ${r.p99ms.toFixed(3).padStart(8)} ms   non-2xx ${r.non2xx}`;
    console.log(`\nSwitchboard relay benchmark — ${new Date().toISOString()}, ${navigator.hardwareConcurrency} cores, wrk ${duration}, ${connections} connections, Postgres logging on\n`);
    console.log(row('mock direct (JSON)', direct));
    console.log(row('through Switchboard (JSON)', through));
    console.log(`  ratio gateway/direct: ${(through.rps / direct.rps).toFixed(3)}`);
    console.log(row('bare Bun fetch proxy (JSON)', bareRun));
    console.log(`  ratio gateway/bare proxy: ${(through.rps / bareRun.rps).toFixed(3)}`);
    console.log(row('mock direct, 1 connection', direct1));
    console.log(row('through Switchboard, 1 connection', through1));
    console.log(`  added latency at 1 connection: p50 ${(through1.p50ms - direct1.p50ms).toFixed(3)} ms, p99 ${(through1.p99ms - direct1.p99ms).toFixed(3)} ms`);
    console.log(row('mock direct (SSE)', streamDirect));
    console.log(`${'through Switchboard (SSE)'.padEnd(34)} ${streamRps.toFixed(0).padStart(8)} req/s`);
    console.log(`  ratio gateway/direct (SSE): ${(streamRps / streamDirect.rps).toFixed(3)}`);
    console.log(`\ngateway process tree RSS: idle ${idleRss.toFixed(0)} MiB, after ${duration} of load ${loadedRss.toFixed(0)} MiB (external Postgres)`);
    console.log(`\ncall_logs rows: ${n}; Σ cost = ${cost} nano-USD; balance change = ${spent} nano-USD; ${cost === spent ? 'exact' : 'MISMATCH'}`);
  } finally {
    bare.proc.kill();
    await gateway.stop();
    stopMock();
    await db.drop();
  }
}

await main();
