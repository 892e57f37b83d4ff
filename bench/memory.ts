// `bun bench/memory.ts`: resident memory of `bun start` (the whole process tree: the runner,
// the gateway, and the embedded PostgreSQL server with its backends), idle 5 s after the
// `listening` line, then after 8 s of wrk load, then idle again after MEM_SETTLE seconds.
// RSS and PSS per process kind, and the database's connection count.
//   bun bench/memory.ts                      # embedded default (fresh DATA_DIR)
//   MEM_EXTERNAL=1 bun bench/memory.ts       # DATABASE_URL: a fresh database on 127.0.0.1:5432
//   MEM_CMD='bun --smol server/main.ts' …    # another command instead of `bun start`
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { ADMIN_KEY, cpuSeconds, ensureTools, freshDatabase, processTree, root, seedRelay, startNginxMock, wrk } from './kit.ts';

const external = process.env.MEM_EXTERNAL === '1';
const cmd = (process.env.MEM_CMD ?? 'bun start').split(' ');
const settle = Number(process.env.MEM_SETTLE ?? 0);
const loadFor = process.env.MEM_LOAD ?? '8s';
const conns = Number(process.env.MEM_CONNECTIONS ?? 32);

function kib(pid: number, file: string, field: string): number {
  try {
    return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/${file}`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}
function kind(pid: number): string {
  try {
    const c = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    if (c[0]?.endsWith('postgres') || c[0]?.startsWith('postgres')) {
      const title = c.join(' ');
      if (/postgres: .*postgres .*127\.0\.0\.1/.test(title) || /postgres: postgres postgres/.test(title)) return 'pg backend';
      if (c.length > 2) return 'postmaster';
      return 'pg background';
    }
    if (c.includes('server/main.ts')) return 'gateway';
    return c.slice(0, 3).join(' ');
  } catch {
    return '?';
  }
}
function snapshot(label: string, pid: number): number {
  const rows = new Map<string, { n: number; rss: number; pss: number }>();
  for (const p of processTree(pid)) {
    const k = kind(p);
    const r = rows.get(k) ?? { n: 0, rss: 0, pss: 0 };
    r.n++;
    r.rss += kib(p, 'status', 'VmRSS');
    r.pss += kib(p, 'smaps_rollup', 'Pss');
    rows.set(k, r);
  }
  let rss = 0;
  let pss = 0;
  const parts: string[] = [];
  for (const [k, r] of rows) {
    rss += r.rss;
    pss += r.pss;
    parts.push(`${k}×${r.n} ${(r.rss / 1024).toFixed(0)}/${(r.pss / 1024).toFixed(0)}`);
  }
  console.log(`${label.padEnd(10)} Σ RSS ${(rss / 1024).toFixed(0).padStart(4)} MiB  Σ PSS ${(pss / 1024).toFixed(0).padStart(4)} MiB  (${parts.join('; ')}; RSS/PSS MiB)`);
  return rss / 1024;
}

ensureTools();
const mock = startNginxMock();
const dataDir = mkdtempSync(join(tmpdir(), 'sb-mem-'));
const db = external ? await freshDatabase() : null;
const port = 3800 + Math.floor(Math.random() * 90);
const out = `${dataDir}.out`;
const proc = Bun.spawn(['setsid', ...cmd], {
  cwd: root,
  env: {
    ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, ADMIN_KEY, LOG_LEVEL: 'warn',
    ...(db ? { DATABASE_URL: db.url } : {}),
  },
  stdout: Bun.file(out), stderr: 'inherit',
});
const url = `http://127.0.0.1:${port}`;
const t0 = performance.now();
let sql = null as postgres.Sql | null;
try {
  for (let i = 0; ; i++) {
    if (proc.exitCode !== null) throw new Error(`exited with ${proc.exitCode}: ${readFileSync(out, 'utf8')}`);
    if (await fetch(`${url}/readyz`).then((r) => r.ok, () => false)) break;
    if (i > 1200) throw new Error('not ready in 120 s');
    await Bun.sleep(100);
  }
  console.log(`${cmd.join(' ')} (${external ? 'DATABASE_URL' : 'embedded'}): ready after ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const dbUrl = db?.url ?? (() => {
    const pw = readFileSync(join(dataDir, 'pg18.password'), 'utf8').trim();
    const port = readFileSync(join(dataDir, 'pg18', 'postmaster.pid'), 'utf8').split('\n')[3];
    return `postgres://postgres:${encodeURIComponent(pw)}@127.0.0.1:${port}/postgres`;
  })();
  // A connection of its own only for the count, closed again: it is not in the next snapshot.
  const pgConns = async () => {
    sql = postgres(dbUrl, { max: 1, onnotice: () => {}, connection: { application_name: 'bench-memory' } });
    const n = (await sql`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'switchboard' AND datname = current_database()`)[0]!.n;
    await sql.end();
    sql = null;
    await Bun.sleep(200);
    return n;
  };
  await Bun.sleep(5_000);
  snapshot('idle', proc.pid);
  console.log(`           switchboard connections: ${await pgConns()}`);
  const key = await seedRelay(url, [{ name: 'nginx-json', baseUrl: mock.json, models: ['gpt-4o-mini'] }]);
  const gwPid = processTree(proc.pid).find((p) => kind(p) === 'gateway')!;
  const cpu0 = cpuSeconds(gwPid);
  const r = wrk(`${url}/v1/chat/completions`, conns, loadFor, { key });
  const cpuPerCall = ((cpuSeconds(gwPid) - cpu0) / r.requests) * 1e6;
  snapshot('loaded', proc.pid);
  console.log(`           wrk ${loadFor} ${conns} conns: ${r.rps.toFixed(0)} req/s, gateway CPU ${cpuPerCall.toFixed(0)} µs/call, non-2xx ${r.non2xx}; switchboard connections: ${await pgConns()}`);
  if (r.non2xx) {
    await Bun.sleep(1000);
    const q = postgres(dbUrl, { max: 1, onnotice: () => {} });
    for (const f of await q`SELECT status, error_type, left(error_message, 160) AS message, count(*)::int AS n FROM call_logs WHERE status <> 200 GROUP BY 1, 2, 3`) {
      console.log(`           ${f.n} × ${f.status} ${f.error_type}: ${f.message}`);
    }
    await q.end();
  }
  if (settle) {
    await Bun.sleep(settle * 1000);
    snapshot(`+${settle} s`, proc.pid);
    console.log(`           switchboard connections: ${await pgConns()}`);
  }
} finally {
  await sql?.end();
  process.kill(-proc.pid, 'SIGTERM');
  await proc.exited;
  mock.stop();
  await db?.drop();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(out, { force: true });
}
