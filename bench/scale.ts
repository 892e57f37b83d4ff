// `bun run bench:scale`: in one run, wrk (64 connections, 10 s, JSON) against the nginx mock
// directly, through one Switchboard instance, through two instances sharing the port
// (REUSE_PORT, one Postgres), and through a peer gateway (Portkey's open-source gateway
// 1.15.2 on Bun, installed on demand into the bench cache, see kit.ts). For each, where the
// machine's two cores went: CPU µs per request of the gateway process(es), of Postgres
// (the backends of the bench database, from /proc), and how busy the whole machine was.
//   BENCH_DURATION=10s BENCH_CONNECTIONS=64 BENCH_PEER=0 bun run bench:scale
import { readFileSync } from 'node:fs';
import {
  cpuSeconds, ensureTools, exactness, freePort, freshDatabase, PORTKEY, postgresBackendCpuSeconds, seedRelay, sh, startGatewayProcess,
  startNginxMock, startPortkey, wrk, type WrkResult,
} from './kit.ts';

const duration = process.env.BENCH_DURATION ?? '10s';
const connections = Number(process.env.BENCH_CONNECTIONS ?? 64);
/** Busy fraction of all cores between two /proc/stat readings. */
function machineTicks(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3]! + f[4]!;
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

interface Row { name: string; r: WrkResult; gatewayUs: number | null; postgresUs: number | null; busyCores: number }

/** wrk against `url` while accounting CPU of `pids` and of Postgres. */
function measure(name: string, url: string, pids: number[], db: string, opts: { key?: string; headers?: string } = {}): Row {
  wrk(url, connections, '5s', opts); // warm-up (connection pools, JIT): the figures are the steady state
  const g0 = pids.reduce((a, p) => a + cpuSeconds(p), 0);
  const pg0 = postgresBackendCpuSeconds(db);
  const m0 = machineTicks();
  const r = wrk(url, connections, duration, opts);
  const m1 = machineTicks();
  const g1 = pids.reduce((a, p) => a + cpuSeconds(p), 0);
  const pg1 = postgresBackendCpuSeconds(db);
  const cores = navigator.hardwareConcurrency;
  return {
    name, r,
    gatewayUs: pids.length ? ((g1 - g0) / r.requests) * 1e6 : null,
    postgresUs: pids.length ? ((pg1 - pg0) / r.requests) * 1e6 : null,
    busyCores: ((m1.busy - m0.busy) / (m1.total - m0.total)) * cores,
  };
}

async function listeners(port: number): Promise<number> {
  return sh(['ss', '-Hltn', `sport = :${port}`]).out.trim().split('\n').filter(Boolean).length;
}

async function main() {
  ensureTools();
  const mock = startNginxMock();
  const db = await freshDatabase();
  const dbName = new URL(db.url).pathname.slice(1);
  const port = 3900 + Math.floor(Math.random() * 90);
  const a = await startGatewayProcess({ databaseUrl: db.url, port, env: { REUSE_PORT: '1' } });
  let b: Awaited<ReturnType<typeof startGatewayProcess>> | null = null;
  let peer: Awaited<ReturnType<typeof startPortkey>> | null = null;
  const rows: Row[] = [];
  try {
    const key = await seedRelay(a.url, [{ name: 'nginx-json', baseUrl: mock.json, models: ['gpt-4o-mini'] }]);
    const chat = `${a.url}/v1/chat/completions`;
    rows.push(measure('mock direct', `${mock.json}/v1/chat/completions`, [], dbName));
    rows.push(measure('Switchboard, 1 instance', chat, [a.proc.pid], dbName, { key }));

    // A second process on the same port and database: the kernel spreads connections.
    b = await startGatewayProcess({ databaseUrl: db.url, port, env: { REUSE_PORT: '1' } });
    for (let i = 0; i < 100 && (await listeners(port)) < 2; i++) await Bun.sleep(100);
    await Bun.sleep(1000);
    rows.push(measure('Switchboard, 2 instances', chat, [a.proc.pid, b.proc.pid], dbName, { key }));

    if (process.env.BENCH_PEER !== '0') {
      try {
        peer = await startPortkey(freePort(), mock.json);
        const row = measure(`Portkey ${PORTKEY.split('@')[2]} on Bun (peer)`, `${peer.url}/v1/chat/completions`, [peer.proc.pid], dbName, { key: 'sk-bench', headers: peer.headers });
        rows.push({ ...row, postgresUs: null }); // no logging: what the bench database's backends do meanwhile is not its cost
      } catch (error) {
        console.log(`peer gateway ${PORTKEY} not run: ${(error as Error).message}`);
      }
    }

    await Bun.sleep(1000);
    const ex = await exactness(db.sql);
    const fmt = (v: number | null, d = 0) => (v === null ? '—' : v.toFixed(d));
    console.log(`\nSwitchboard scale-out benchmark — ${new Date().toISOString()}, ${navigator.hardwareConcurrency} cores, wrk ${duration}, ${connections} connections, JSON, Postgres logging on\n`);
    console.log(`${'path'.padEnd(28)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'non-2xx'.padStart(8)} ${'gw CPU µs/req'.padStart(14)} ${'pg CPU µs/req'.padStart(14)} ${'busy cores'.padStart(11)}`);
    for (const r of rows) {
      console.log(`${r.name.padEnd(28)} ${fmt(r.r.rps).padStart(8)} ${fmt(r.r.p50ms, 2).padStart(8)} ${fmt(r.r.p99ms, 2).padStart(8)} ${String(r.r.non2xx).padStart(8)} ${fmt(r.gatewayUs, 1).padStart(14)} ${fmt(r.postgresUs, 1).padStart(14)} ${fmt(r.busyCores, 2).padStart(11)}`);
    }
    const one = rows.find((r) => r.name.includes('1 instance'))!;
    const two = rows.find((r) => r.name.includes('2 instances'))!;
    console.log(`\n2 instances / 1 instance: ${(two.r.rps / one.r.rps).toFixed(2)}×`);
    const p = rows.find((r) => r.name.includes('peer'));
    if (p) console.log(`Switchboard (1 instance) / peer: ${(one.r.rps / p.r.rps).toFixed(2)}×`);
    console.log(`call_logs rows: ${ex.calls}; Σ cost = ${ex.cost} nano-USD; balance change = ${ex.spent} nano-USD; ${ex.exact ? 'exact' : 'MISMATCH'}`);
  } finally {
    peer?.proc.kill('SIGTERM');
    await b?.stop();
    await a.stop();
    mock.stop();
    await db.drop();
  }
}

await main();
