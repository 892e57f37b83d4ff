// `bun run bench`: every figure of issue 23's table in one run, each against its goal.
//  - Throughput, non-stream JSON, wrk at 32 connections: the nginx mock directly, a bare
//    10-line Bun fetch proxy, Switchboard (key auth, metering, Postgres logging on) and
//    Portkey's open-source gateway 1.15.2 on Bun (installed on demand into the bench cache),
//    interleaved in 3 rounds; the ratios are of the medians.
//  - Postgres CPU per logged call: the CPU of the backends of the bench database (from /proc)
//    during the Switchboard rounds, per request.
//  - Added latency at one connection (Switchboard minus direct, p50 and p99; interleaved rounds,
//    median of the differences), beside what the bare proxy alone adds; the SSE row.
//  - Resident memory of the whole process tree: the gateway with DATABASE_URL idle, and the
//    zero-setup default exactly as `bun start` runs it (no DATABASE_URL, fresh DATA_DIR: the
//    runner, the gateway and its PostgreSQL child with its backends) idle and after 8 s of load.
//  - Exactness: Σ cost of the logged calls = the balance change.
// Every server talks to a private nginx mock on free ports (kit.ts), so runs by others on the
// machine do not interfere through it. The machine is shared: compare ratios from one run,
// not absolute figures across runs. Defaults below; BENCH_ONLY=json|external runs a part.
//   BENCH_DURATION=5s BENCH_CONNECTIONS=32 BENCH_ROUNDS=3 BENCH_DATABASE_URL=postgres://… bun run bench
import { join } from 'node:path';
import {
  ensureTools, exactness, freePort, freshDatabase, median, miBToMB, PORTKEY, postgresBackendCpuSeconds, processTree, root, rssMiB, seedRelay,
  startBareProxy, startBunStart, startGatewayProcess, startNginxMock, startPortkey, treePostgresCpuSeconds, treePssMiB, treeRssMiB, wrk, cmdline,
  type WrkResult,
} from './kit.ts';

const duration = process.env.BENCH_DURATION ?? '5s';
const only = process.env.BENCH_ONLY; // 'json': only the throughput rounds (and idle RSS, exactness); 'external': no `bun start` part
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const loadSeconds = 8;
type Mock = ReturnType<typeof startNginxMock>;

interface Goal { figure: string; value: string; goal: string; pass: boolean | null }
const goals: Goal[] = [];
/** A figure from runs with failed requests (or none at all) is no figure: MISS, marked. */
const goal = (figure: string, value: string, goalText: string, pass: boolean | null, runs: WrkResult[] = []) => {
  const bad = runs.reduce((a, r) => a + r.non2xx + r.errors, 0);
  const broken = runs.some((r) => !Number.isFinite(r.rps) || r.requests === 0);
  if (bad || broken) goals.push({ figure, value: `${value} (${broken ? 'a run failed' : `${bad} failed requests`})`, goal: goalText, pass: false });
  else goals.push({ figure, value, goal: goalText, pass });
};

const row = (name: string, r: WrkResult) =>
  `${name.padEnd(36)} ${r.rps.toFixed(0).padStart(8)} req/s   p50 ${r.p50ms.toFixed(3).padStart(7)} ms   p99 ${r.p99ms.toFixed(3).padStart(8)} ms   non-2xx ${r.non2xx}`;
const mb = (mib: number) => `${miBToMB(mib).toFixed(0)} MB (${mib.toFixed(0)} MiB)`;

/** The external-Postgres part: throughput rounds, Portkey, Postgres CPU, latency, SSE, exactness, idle RSS. */
async function external(mock: Mock): Promise<void> {
  const MOCK = `${mock.json}/v1/chat/completions`;
  const db = await freshDatabase();
  const dbName = new URL(db.url).pathname.slice(1);
  const gateway = await startGatewayProcess({ databaseUrl: db.url, port: freePort(), profileDir: process.env.BENCH_PROFILE });
  const url = gateway.url;
  const bare = startBareProxy(mock.json);
  let portkey: Awaited<ReturnType<typeof startPortkey>> | null = null;
  let portkeyError = '';
  try {
    const key = await seedRelay(url, [
      { name: 'nginx-json', baseUrl: mock.json, models: ['gpt-4o-mini'] },
      // Streaming: the same model name, mapped, on the SSE mock.
      { name: 'nginx-sse', baseUrl: mock.sse, models: ['gpt-4o-mini-stream'], mapping: { 'gpt-4o-mini-stream': 'gpt-4o-mini' } },
    ]);
    try {
      portkey = await startPortkey(freePort(), mock.json);
    } catch (error) {
      portkeyError = (error as Error).message;
    }
    await Bun.sleep(3_000);
    const idleRss = treeRssMiB(gateway.proc.pid);

    // Warm up every path (connection pools, JIT): the figures are the steady state.
    wrk(MOCK, 8, '1s');
    wrk(`${bare.url}/v1/chat/completions`, connections, '2s');
    wrk(`${url}/v1/chat/completions`, connections, '4s', { key });
    if (portkey) wrk(`${portkey.url}/v1/chat/completions`, connections, '2s', { key: 'sk-bench', headers: portkey.headers });

    const runs: Record<'direct' | 'bare' | 'switchboard' | 'portkey', WrkResult[]> = { direct: [], bare: [], switchboard: [], portkey: [] };
    let pgCpu = 0;
    let pgRequests = 0;
    for (let i = 0; i < rounds; i++) {
      runs.direct.push(wrk(MOCK, connections, duration));
      runs.bare.push(wrk(`${bare.url}/v1/chat/completions`, connections, duration));
      const c0 = postgresBackendCpuSeconds(dbName);
      const sb = wrk(`${url}/v1/chat/completions`, connections, duration, { key });
      await Bun.sleep(300); // the last batch of call logs
      pgCpu += postgresBackendCpuSeconds(dbName) - c0;
      pgRequests += sb.requests;
      runs.switchboard.push(sb);
      if (portkey) runs.portkey.push(wrk(`${portkey.url}/v1/chat/completions`, connections, duration, { key: 'sk-bench', headers: portkey.headers }));
    }
    const loadedRss = treeRssMiB(gateway.proc.pid);

    const json = only === 'json';
    // One connection: interleaved rounds too; the added latency is the median of the rounds' differences.
    // The bare proxy's rounds are the floor: what any Bun fetch proxy adds on this machine.
    const ones: Array<{ direct: WrkResult; through: WrkResult; bare: WrkResult }> = [];
    // Latency of a call, not of the backlog the rounds above left: wait until it is committed.
    if (!json) await drained(url);
    for (let i = 0; i < (json ? 0 : rounds); i++) ones.push({ direct: wrk(MOCK, 1, duration), through: wrk(`${url}/v1/chat/completions`, 1, duration, { key }), bare: wrk(`${bare.url}/v1/chat/completions`, 1, duration) });
    const direct1 = ones.length ? ones.map((o) => o.direct) : null;
    const through1 = ones.length ? ones.map((o) => o.through) : null;
    const streamDirect = json ? null : wrk(`${mock.sse}/v1/chat/completions`, connections, duration);
    const stream = json ? null : wrk(`${url}/v1/chat/completions`, connections, duration, { key, script: join(root, 'bench/chat-stream.lua') });

    await Bun.sleep(500);
    const ex = await exactness(db.sql);

    const med = (rs: WrkResult[]) => median(rs.map((r) => r.rps));
    const mDirect = med(runs.direct);
    const mBare = med(runs.bare);
    const mSb = med(runs.switchboard);
    const mPk = runs.portkey.length ? med(runs.portkey) : NaN;
    console.log(`\nThroughput, non-stream JSON, wrk ${duration} × ${rounds} interleaved rounds, ${connections} connections (req/s per round; median)\n`);
    const series = (name: string, rs: WrkResult[]) =>
      console.log(`${name.padEnd(36)} ${rs.map((r) => r.rps.toFixed(0).padStart(7)).join(' ')}   median ${med(rs).toFixed(0).padStart(7)}   p50 ${median(rs.map((r) => r.p50ms)).toFixed(2)} ms   p99 ${median(rs.map((r) => r.p99ms)).toFixed(2)} ms   non-2xx ${rs.reduce((a, r) => a + r.non2xx, 0)}`);
    series('mock direct', runs.direct);
    series('bare Bun fetch proxy', runs.bare);
    series('Switchboard (auth, metering, logging)', runs.switchboard);
    if (runs.portkey.length) series(`Portkey ${PORTKEY.split('@')[2]} on Bun`, runs.portkey);
    else console.log(`Portkey ${PORTKEY}: not run (${portkeyError || 'no result'})`);
    const perRound = (a: WrkResult[], b: WrkResult[]) => a.map((r, i) => (r.rps / b[i]!.rps).toFixed(3)).join(', ');
    console.log(`  Switchboard / bare proxy: ${(mSb / mBare).toFixed(3)} (per round ${perRound(runs.switchboard, runs.bare)})`);
    console.log(`  Switchboard / direct:     ${(mSb / mDirect).toFixed(3)}`);
    if (runs.portkey.length) console.log(`  Switchboard / Portkey:    ${(mSb / mPk).toFixed(2)}× (per round ${perRound(runs.switchboard, runs.portkey)})`);
    goal(`throughput ÷ bare Bun proxy (${connections} conn, median of ${rounds})`, (mSb / mBare).toFixed(3), '≥ 0.65', mSb / mBare >= 0.65, [...runs.bare, ...runs.switchboard]);
    if (runs.portkey.length) goal('throughput ÷ Portkey 1.15.2 on Bun', `${(mSb / mPk).toFixed(2)}×`, '≥ 3×', mSb / mPk >= 3, [...runs.portkey, ...runs.switchboard]);
    else goal('throughput ÷ Portkey 1.15.2 on Bun', 'not run (see above)', '≥ 3×', null);

    const pgUs = (pgCpu / pgRequests) * 1e6;
    console.log(`\nPostgres CPU per logged call: ${pgUs.toFixed(1)} µs (backends of ${dbName}, ${pgCpu.toFixed(2)} s over ${pgRequests} calls in the Switchboard rounds)`);
    goal('Postgres CPU per logged call (backends)', `${pgUs.toFixed(1)} µs`, '≤ 15 µs', pgUs <= 15, runs.switchboard);

    if (direct1 && through1 && streamDirect && stream) {
      console.log(`\nOne connection, wrk ${duration} × ${rounds} interleaved rounds\n`);
      direct1.forEach((r, i) => console.log(row(`mock direct, round ${i + 1}`, r)));
      through1.forEach((r, i) => console.log(row(`through Switchboard, round ${i + 1}`, r)));
      ones.forEach((o, i) => console.log(row(`through the bare proxy, round ${i + 1}`, o.bare)));
      const add50 = median(ones.map((o) => o.through.p50ms - o.direct.p50ms));
      const add99 = median(ones.map((o) => o.through.p99ms - o.direct.p99ms));
      console.log(`  added latency (median of the rounds): p50 ${add50.toFixed(3)} ms, p99 ${add99.toFixed(3)} ms`);
      const bare50 = median(ones.map((o) => o.bare.p50ms - o.direct.p50ms));
      const bare99 = median(ones.map((o) => o.bare.p99ms - o.direct.p99ms));
      console.log(`  added by the bare proxy alone (the floor): p50 ${bare50.toFixed(3)} ms, p99 ${bare99.toFixed(3)} ms`);
      goal(`added latency p50, 1 conn (median of ${rounds})`, `${add50.toFixed(3)} ms`, '≤ 0.2 ms', add50 <= 0.2, [...direct1, ...through1]);
      goal(`added latency p99, 1 conn (median of ${rounds})`, `${add99.toFixed(3)} ms`, '≤ 1 ms', add99 <= 1, [...direct1, ...through1]);

      console.log(`\nStreaming (SSE), ${duration}, ${connections} connections\n`);
      console.log(row('mock direct (SSE)', streamDirect));
      console.log(`${'through Switchboard (SSE)'.padEnd(36)} ${stream.rps.toFixed(0).padStart(8)} req/s   non-2xx ${stream.non2xx}`);
      console.log(`  ratio gateway/direct (SSE): ${(stream.rps / streamDirect.rps).toFixed(3)}`);
    }

    console.log(`\nGateway with DATABASE_URL (external Postgres), process tree RSS: idle ${mb(idleRss)}, after the rounds ${mb(loadedRss)}`);
    goal('RSS idle, DATABASE_URL (gateway process)', mb(idleRss), '≤ 100 MB', miBToMB(idleRss) <= 100);

    console.log(`\ncall_logs rows: ${ex.calls}; Σ cost = ${ex.cost} nano-USD; balance change = ${ex.spent} nano-USD; ${ex.exact ? 'exact' : 'MISMATCH'}`);
    goal('Σ cost = balance change', ex.exact ? 'exact' : 'MISMATCH', 'exact', ex.exact);
  } finally {
    portkey?.proc.kill('SIGTERM');
    bare.proc.kill();
    await gateway.stop();
    await db.drop();
  }
}

/** The zero-setup default under `bun start`: process-tree RSS idle and after load. */
async function embedded(mock: Mock): Promise<void> {
  const t0 = performance.now();
  const gw = await startBunStart(freePort());
  const readyMs = performance.now() - t0;
  try {
    await Bun.sleep(5_000);
    const tree = () => processTree(gw.proc.pid);
    const idle = treeRssMiB(gw.proc.pid);
    const breakdown = () => {
      const by = { runner: 0, gateway: 0, postgres: 0, n: 0 };
      for (const p of tree()) {
        const c = cmdline(p);
        by.n++;
        if (/^\S*bun server\/main\.ts/.test(c)) by.gateway += rssMiB(p);
        else if (/(^|\/)postgres( |$)|^postgres:/.test(c)) by.postgres += rssMiB(p);
        else by.runner += rssMiB(p);
      }
      return `${by.n} processes: \`bun start\` runner + shell ${by.runner.toFixed(0)} MiB, gateway ${by.gateway.toFixed(0)} MiB, PostgreSQL ${by.postgres.toFixed(0)} MiB`;
    };
    const idleParts = breakdown();
    const idlePss = treePssMiB(gw.proc.pid);
    const key = await seedRelay(gw.url, [{ name: 'nginx-json', baseUrl: mock.json, models: ['gpt-4o-mini'] }]);
    const c0 = treePostgresCpuSeconds(gw.proc.pid);
    const r = wrk(`${gw.url}/v1/chat/completions`, connections, `${loadSeconds}s`, { key });
    const loaded = treeRssMiB(gw.proc.pid);
    const loadedParts = breakdown();
    const loadedPss = treePssMiB(gw.proc.pid);
    await Bun.sleep(300);
    const pgUs = ((treePostgresCpuSeconds(gw.proc.pid) - c0) / r.requests) * 1e6;
    console.log(`\nZero-setup default, \`bun start\` (no DATABASE_URL, fresh DATA_DIR, PostgreSQL 18 child): ready after ${(readyMs / 1000).toFixed(1)} s (bun install + initdb included)`);
    console.log(`  idle (5 s after ready):        Σ RSS ${mb(idle)} — ${idleParts}`);
    console.log(`  after ${loadSeconds} s of load (${r.rps.toFixed(0)} req/s, ${connections} connections, non-2xx ${r.non2xx}): Σ RSS ${mb(loaded)} — ${loadedParts}`);
    console.log(`  Σ PSS (shared pages counted once): idle ${mb(idlePss)}, after load ${mb(loadedPss)}`);
    console.log(`  embedded PostgreSQL CPU per logged call, all its processes: ${pgUs.toFixed(1)} µs`);
    goal('RSS idle, `bun start` embedded (whole tree)', mb(idle), '≤ 150 MB', miBToMB(idle) <= 150);
    goal(`RSS after ${loadSeconds} s load, embedded (whole tree)`, mb(loaded), '≤ 300 MB', miBToMB(loaded) <= 300, [r]);
  } finally {
    await gw.stop();
  }
}

/** Until the gateway's call-log writer has nothing queued (at most 15 s), then a second of quiet. */
async function drained(url: string): Promise<void> {
  for (const end = Date.now() + 15_000; Date.now() < end;) {
    const ready = await fetch(`${url}/readyz`).then((r) => r.json() as Promise<{ writer?: { backlog?: number } }>, () => null);
    if (ready?.writer?.backlog === 0) break;
    await Bun.sleep(200);
  }
  await Bun.sleep(1_000);
}

async function main() {
  ensureTools();
  const mock = startNginxMock();
  console.log(`Switchboard benchmark (issue 23) — ${new Date().toISOString()}, ${navigator.hardwareConcurrency} cores, load average ${(await Bun.file('/proc/loadavg').text()).split(' ').slice(0, 3).join(' ')}`);
  console.log('Memory: MB = 10^6 bytes (the goals\' unit), MiB = 2^20 bytes (what /proc reports) in parentheses; Σ VmRSS over the process tree.');
  try {
    await external(mock);
    if (!only) await embedded(mock);
  } finally {
    mock.stop();
  }
  console.log(`\nSummary (one run; shared machine: ratios hold, absolute figures drift)\n`);
  const w = Math.max(...goals.map((g) => g.figure.length));
  const vw = Math.max(...goals.map((g) => g.value.length));
  console.log(`${'figure'.padEnd(w)}  ${'measured'.padEnd(vw)}  ${'goal'.padEnd(9)}  result`);
  for (const g of goals) console.log(`${g.figure.padEnd(w)}  ${g.value.padEnd(vw)}  ${g.goal.padEnd(9)}  ${g.pass === null ? 'n/a' : g.pass ? 'PASS' : 'MISS'}`);
  const missed = goals.filter((g) => g.pass === false).length;
  const unmeasured = goals.filter((g) => g.pass === null).length;
  console.log(`\n${goals.length - missed - unmeasured} of ${goals.length} goals met${missed ? `; ${missed} MISS` : ''}${unmeasured ? `; ${unmeasured} not measured` : ''}`);
}

await main();
