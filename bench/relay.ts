// `bun run bench`: wrk for 10 s against the nginx mock upstream directly and through
// Switchboard (key auth, metering and Postgres logging on), non-stream and stream, plus
// a one-connection latency run to measure the gateway's added p50. Prints both and the ratio.
//   BENCH_DURATION=10s BENCH_CONNECTIONS=64 BENCH_DATABASE_URL=postgres://… bun run bench
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import postgres from 'postgres';
import { createSwitchboardClient } from '../client/index.ts';

const root = resolve(import.meta.dir, '..');
const kit = [process.env.BENCH_KIT, join(root, '../shared/bench'), '/work/shared/bench'].find((p) => p && existsSync(join(p, 'chat.lua')));
if (!kit) throw new Error('benchmark kit not found: set BENCH_KIT to the folder holding chat.lua and mock-upstream.nginx.conf');
const duration = process.env.BENCH_DURATION ?? '10s';
const connections = Number(process.env.BENCH_CONNECTIONS ?? 64);

function sh(cmd: string[], env: Record<string, string> = {}): { code: number; out: string } {
  const r = Bun.spawnSync(cmd, { env: { ...process.env, ...env }, stdout: 'pipe', stderr: 'pipe' });
  return { code: r.exitCode, out: r.stdout.toString() + r.stderr.toString() };
}

function ensureTools() {
  const missing = ['nginx', 'wrk'].filter((t) => sh(['which', t]).code !== 0);
  if (missing.length) {
    console.log(`installing ${missing.join(', ')} …`);
    sh(['apt-get', 'update', '-qq']);
    const r = sh(['apt-get', 'install', '-y', '-qq', ...missing]);
    if (r.code !== 0) throw new Error(`cannot install ${missing.join(', ')}:\n${r.out}`);
  }
}

function startMock() {
  const dir = '/tmp/mock-upstream';
  mkdirSync(dir, { recursive: true });
  const conf = join(kit!, 'mock-upstream.nginx.conf');
  sh(['nginx', '-c', conf, '-p', `${dir}/`, '-s', 'stop']);
  Bun.sleepSync(200);
  const r = sh(['nginx', '-c', conf, '-p', `${dir}/`]);
  if (r.code !== 0) throw new Error(`nginx failed: ${r.out}`);
  return () => sh(['nginx', '-c', conf, '-p', `${dir}/`, '-s', 'stop']);
}

interface WrkResult { rps: number; p50ms: number; p99ms: number; non2xx: number; errors: number; raw: string }

function wrk(url: string, conns: number, dur: string, key?: string): WrkResult {
  const r = sh(['wrk', '-t', String(Math.min(2, conns)), '-c', String(conns), '-d', dur, '-s', join(kit!, 'chat.lua'), '--latency', url], key ? { BENCH_KEY: key } : {});
  const num = (re: RegExp) => Number(re.exec(r.out)?.[1] ?? NaN);
  const ms = (re: RegExp) => {
    const m = re.exec(r.out);
    if (!m) return NaN;
    const v = Number(m[1]);
    return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
  };
  return {
    rps: num(/Requests\/sec:\s+([\d.]+)/),
    p50ms: ms(/50%\s+([\d.]+)(us|ms|s)/),
    p99ms: ms(/99%\s+([\d.]+)(us|ms|s)/),
    non2xx: num(/Non-2xx or 3xx responses:\s+(\d+)/) || 0,
    errors: (/Socket errors:.*?(\d+).*?(\d+).*?(\d+).*?(\d+)/.exec(r.out)?.slice(1).reduce((a, b) => a + Number(b), 0)) ?? 0,
    raw: r.out,
  };
}

async function main() {
  ensureTools();
  const stopMock = startMock();

  // A fresh Postgres database so logging really hits Postgres.
  const server = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const dbName = `switchboard_bench_${Date.now()}`;
  const admin = postgres(server, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${dbName}`);
  const dbUrl = new URL(server);
  dbUrl.pathname = `/${dbName}`;

  const adminKey = 'bench-admin-key-0123456789';
  const port = 3900 + Math.floor(Math.random() * 90);
  const profileDir = process.env.BENCH_PROFILE; // write a CPU profile of the gateway there
  const only = process.env.BENCH_ONLY; // 'json' runs only the 64-connection JSON comparison
  const gateway = Bun.spawn(['bun', ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), 'server/main.ts'], {
    cwd: root,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: dbUrl.toString(), ADMIN_KEY: adminKey, ADMIN_PASSWORD: 'bench-password', LOG_LEVEL: 'warn', DATA_DIR: mkdtempSync(join(tmpdir(), 'sb-bench-')) },
    stdout: 'inherit', stderr: 'inherit',
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) break;
    await Bun.sleep(100);
  }
  const sb = createSwitchboardClient({ url, token: adminKey });
  await sb.channels.create.mutate({ name: 'nginx-json', type: 1, baseUrl: 'http://127.0.0.1:9100', key: 'sk-bench', models: ['gpt-4o-mini'] });
  await sb.prices.set.mutate({ model: 'gpt-4o-mini', inputUsdPerM: '0.15', outputUsdPerM: '0.6' });
  await sb.users.create.mutate({ username: 'bench', balanceUsd: '1000000' });
  const { key } = await sb.keys.create.mutate({ name: 'bench', user: 'bench' });

  try {
    // Warm up both paths (connection pools, JIT).
    wrk('http://127.0.0.1:9100/v1/chat/completions', 8, '2s');
    wrk(`${url}/v1/chat/completions`, 8, '2s', key);

    const direct = wrk('http://127.0.0.1:9100/v1/chat/completions', connections, duration);
    const through = wrk(`${url}/v1/chat/completions`, connections, duration, key);
    if (only === 'json') {
      await Bun.sleep(1500);
      const pg = postgres(dbUrl.toString(), { max: 1 });
      const failed = await pg`SELECT status, error_type, left(error_message, 160) AS message, count(*)::int AS n FROM call_logs WHERE status <> 200 GROUP BY 1, 2, 3`;
      await pg.end();
      for (const f of failed) console.log(`  ${f.n} × ${f.status} ${f.error_type}: ${f.message}`);
      console.log(`direct ${direct.rps.toFixed(0)} req/s; through ${through.rps.toFixed(0)} req/s (p50 ${through.p50ms} ms, p99 ${through.p99ms} ms, non-2xx ${through.non2xx}); ratio ${(through.rps / direct.rps).toFixed(3)}`);
      return;
    }
    const direct1 = wrk('http://127.0.0.1:9100/v1/chat/completions', 1, '5s');
    const through1 = wrk(`${url}/v1/chat/completions`, 1, '5s', key);

    // Streaming: point the same model at the SSE mock.
    await sb.channels.create.mutate({ name: 'nginx-sse', type: 1, baseUrl: 'http://127.0.0.1:9101', key: 'sk-bench', models: ['gpt-4o-mini-stream'], mapping: { 'gpt-4o-mini-stream': 'gpt-4o-mini' } });
    await sb.prices.set.mutate({ model: 'gpt-4o-mini-stream', inputUsdPerM: '0.15', outputUsdPerM: '0.6' });
    const streamDirect = wrk('http://127.0.0.1:9101/v1/chat/completions', connections, duration);
    const streamThrough = Bun.spawnSync(['wrk', '-t2', `-c${connections}`, `-d${duration}`, '-s', join(root, 'bench/chat-stream.lua'), '--latency', `${url}/v1/chat/completions`], { env: { ...process.env, BENCH_KEY: key } }).stdout.toString();
    const streamRps = Number(/Requests\/sec:\s+([\d.]+)/.exec(streamThrough)?.[1] ?? NaN);

    await Bun.sleep(500);
    const pg = postgres(dbUrl.toString(), { max: 1 });
    const [totals] = await pg<Array<{ n: number; spent: string; cost: string }>>`
      SELECT (SELECT count(*)::int FROM call_logs) AS n,
             (SELECT (1000000000000000 - balance)::text FROM users WHERE username = 'bench') AS spent,
             (SELECT coalesce(sum(cost), 0)::text FROM call_logs l JOIN users u ON u.id = l.user_id WHERE u.username = 'bench') AS cost`;
    const { n, spent, cost } = totals!;
    await pg.end();

    const row = (name: string, r: WrkResult) => `${name.padEnd(34)} ${r.rps.toFixed(0).padStart(8)} req/s   p50 ${r.p50ms.toFixed(3).padStart(7)} ms   p99 ${r.p99ms.toFixed(3).padStart(8)} ms   non-2xx ${r.non2xx}`;
    console.log(`\nSwitchboard relay benchmark — ${new Date().toISOString()}, ${navigator.hardwareConcurrency} cores, wrk ${duration}, ${connections} connections, Postgres logging on\n`);
    console.log(row('mock direct (JSON)', direct));
    console.log(row('through Switchboard (JSON)', through));
    console.log(`  ratio gateway/direct: ${(through.rps / direct.rps).toFixed(3)}`);
    console.log(row('mock direct, 1 connection', direct1));
    console.log(row('through Switchboard, 1 connection', through1));
    console.log(`  added p50 latency: ${(through1.p50ms - direct1.p50ms).toFixed(3)} ms`);
    console.log(row('mock direct (SSE)', streamDirect));
    console.log(`${'through Switchboard (SSE)'.padEnd(34)} ${streamRps.toFixed(0).padStart(8)} req/s`);
    console.log(`  ratio gateway/direct (SSE): ${(streamRps / streamDirect.rps).toFixed(3)}`);
    console.log(`\ncall_logs rows: ${n}; Σ cost = ${cost} nano-USD; balance change = ${spent} nano-USD; ${cost === spent ? 'exact' : 'MISMATCH'}`);
  } finally {
    gateway.kill('SIGTERM');
    await gateway.exited;
    stopMock();
    await admin.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
    await admin.end();
  }
}

await main();
