// What every benchmark needs: the shared nginx mock and wrk (../shared/bench), a fresh
// Postgres database, gateway processes started like `bun start` does, a seeded channel,
// price and key, and CPU accounting per process from /proc.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import postgres from 'postgres';
import { createSwitchboardClient } from '../client/index.ts';

export const root = resolve(import.meta.dir, '..');
export const kit = [process.env.BENCH_KIT, join(root, '../shared/bench'), '/work/shared/bench'].find((p) => p && existsSync(join(p, 'chat.lua')));
if (!kit) throw new Error('benchmark kit not found: set BENCH_KIT to the folder holding chat.lua and mock-upstream.nginx.conf');
export const ADMIN_KEY = 'bench-admin-key-0123456789';
/**
 * What `bun start` and the image put in the environment (read at process start): Bun's fetch
 * queues beyond 256 concurrent requests otherwise (server/gateway.ts), and the allocator
 * keeps freed pages rather than returning them to the OS (docs/performance.md).
 */
export const RUNTIME_ENV = { BUN_CONFIG_MAX_HTTP_REQUESTS: '65535', MIMALLOC_PURGE_DELAY: '-1', BUN_JSC_forceRAMSize: '1073741824' };

export function sh(cmd: string[], env: Record<string, string> = {}): { code: number; out: string } {
  const r = Bun.spawnSync(cmd, { env: { ...process.env, ...env }, stdout: 'pipe', stderr: 'pipe' });
  return { code: r.exitCode, out: r.stdout.toString() + r.stderr.toString() };
}

export function ensureTools(): void {
  const missing = ['nginx', 'wrk'].filter((t) => sh(['which', t]).code !== 0);
  if (!missing.length) return;
  console.log(`installing ${missing.join(', ')} …`);
  sh(['apt-get', 'update', '-qq']);
  const r = sh(['apt-get', 'install', '-y', '-qq', ...missing]);
  if (r.code !== 0) throw new Error(`cannot install ${missing.join(', ')}:\n${r.out}`);
}

/** A free TCP port on 127.0.0.1 (asked of the kernel, then released). */
export function freePort(): number {
  const l = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } });
  const port = l.port;
  l.stop(true);
  return port;
}

/**
 * The shared kit's nginx mock upstream (JSON and SSE chat completions), as a private
 * instance: its own prefix and free ports, so benchmarks run by others on this machine
 * (the kit's fixed 9100/9101 and /tmp/mock-upstream) neither stop ours nor are stopped by it.
 */
export function startNginxMock(): { json: string; sse: string; stop(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'sb-mock-'));
  const jsonPort = freePort();
  let ssePort = freePort();
  while (ssePort === jsonPort) ssePort = freePort();
  const conf = join(dir, 'mock.nginx.conf');
  writeFileSync(conf, readFileSync(join(kit!, 'mock-upstream.nginx.conf'), 'utf8')
    .replaceAll('/tmp/mock-upstream', dir).replace('127.0.0.1:9100;', `127.0.0.1:${jsonPort};`).replace('127.0.0.1:9101;', `127.0.0.1:${ssePort};`));
  const r = sh(['nginx', '-c', conf, '-p', `${dir}/`]);
  if (r.code !== 0) throw new Error(`nginx failed: ${r.out}`);
  return {
    json: `http://127.0.0.1:${jsonPort}`,
    sse: `http://127.0.0.1:${ssePort}`,
    stop: () => {
      sh(['nginx', '-c', conf, '-p', `${dir}/`, '-s', 'stop']);
      Bun.sleepSync(200);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface WrkResult { rps: number; requests: number; p50ms: number; p99ms: number; non2xx: number; errors: number; raw: string }

export function wrk(url: string, conns: number, dur: string, opts: { key?: string; script?: string; headers?: string } = {}): WrkResult {
  const env: Record<string, string> = {};
  if (opts.key) env.BENCH_KEY = opts.key;
  if (opts.headers) env.BENCH_HEADERS = opts.headers;
  const r = sh(['wrk', '-t', String(Math.min(2, conns)), '-c', String(conns), '-d', dur, '-s', opts.script ?? join(kit!, 'chat.lua'), '--latency', url], env);
  const num = (re: RegExp) => Number(re.exec(r.out)?.[1] ?? NaN);
  const ms = (re: RegExp) => {
    const m = re.exec(r.out);
    if (!m) return NaN;
    const v = Number(m[1]);
    return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
  };
  return {
    rps: num(/Requests\/sec:\s+([\d.]+)/),
    requests: num(/(\d+) requests in/),
    p50ms: ms(/50%\s+([\d.]+)(us|ms|s)/),
    p99ms: ms(/99%\s+([\d.]+)(us|ms|s)/),
    non2xx: num(/Non-2xx or 3xx responses:\s+(\d+)/) || 0,
    errors: (/Socket errors:.*?(\d+).*?(\d+).*?(\d+).*?(\d+)/.exec(r.out)?.slice(1).reduce((a, b) => a + Number(b), 0)) ?? 0,
    raw: r.out,
  };
}

/** A fresh database on the local Postgres, so logging really hits Postgres. */
export async function freshDatabase(): Promise<{ url: string; sql: postgres.Sql; drop(): Promise<void> }> {
  const server = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `switchboard_bench_${Date.now()}`;
  const admin = postgres(server, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const u = new URL(server);
  u.pathname = `/${name}`;
  const sql = postgres(u.toString(), { max: 1, onnotice: () => {} });
  return {
    url: u.toString(),
    sql,
    async drop() {
      await sql.end();
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
      await admin.end();
    },
  };
}

export interface GatewayProc { proc: ReturnType<typeof Bun.spawn>; url: string; stop(): Promise<void> }

/** `bun server/main.ts` as `bun start` runs it; resolves once /readyz answers. */
export async function startGatewayProcess(opts: { databaseUrl: string; port: number; env?: Record<string, string>; profileDir?: string }): Promise<GatewayProc> {
  const env: Record<string, string | undefined> = { ...gatewayEnv(opts.port), ...RUNTIME_ENV, DATABASE_URL: opts.databaseUrl, ...opts.env };
  const proc = Bun.spawn(['bun', ...(opts.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.profileDir}`] : []), 'server/main.ts'], {
    cwd: root,
    env,
    stdout: 'inherit', stderr: 'inherit',
  });
  const url = `http://127.0.0.1:${opts.port}`;
  await waitReady(proc, url, 15_000);
  return {
    proc, url,
    async stop() {
      proc.kill('SIGTERM');
      await proc.exited;
      if (env.DATA_DIR?.startsWith(join(tmpdir(), 'sb-bench-'))) rmSync(env.DATA_DIR, { recursive: true, force: true });
    },
  };
}

function gatewayEnv(port: number): Record<string, string | undefined> {
  return {
    ...process.env, PORT: String(port), HOST: '127.0.0.1', ADMIN_KEY,
    ADMIN_PASSWORD: 'bench-password', LOG_LEVEL: 'warn', SWITCHBOARD_SECRET: 'bench-secret-0123456789abcdef',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'sb-bench-')),
  };
}

async function waitReady(proc: ReturnType<typeof Bun.spawn>, url: string, ms: number): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (proc.exitCode !== null) throw new Error(`gateway exited with ${proc.exitCode}`);
    if (await fetch(`${url}/readyz`).then((r) => r.ok, () => false)) return;
    await Bun.sleep(100);
  }
  throw new Error(`gateway not ready at ${url} after ${ms} ms`);
}

/**
 * The zero-setup default exactly as a new user runs it: `bun start` (package.json's script:
 * `bun install`, then `bun server/main.ts` with the runtime variables) in the checkout, no
 * DATABASE_URL, a fresh DATA_DIR, so the server initdb's and spawns its PostgreSQL child.
 * `proc` is the `bun start` runner: its process tree is what the user's machine carries.
 */
export async function startBunStart(port: number): Promise<GatewayProc & { dataDir: string }> {
  const env = gatewayEnv(port);
  delete env.DATABASE_URL;
  delete env.EMBEDDED_DB;
  for (const k of Object.keys(RUNTIME_ENV)) delete env[k]; // the script sets them itself
  const proc = Bun.spawn(['bun', 'start'], { cwd: root, env, stdout: 'inherit', stderr: 'inherit' });
  const url = `http://127.0.0.1:${port}`;
  await waitReady(proc, url, 120_000);
  return {
    proc, url, dataDir: env.DATA_DIR!,
    async stop() {
      // SIGTERM the gateway (it stops its PostgreSQL), then the runner.
      const gw = processTree(proc.pid).find((p) => /^\S*bun server\/main\.ts/.test(cmdline(p)));
      if (gw) process.kill(gw, 'SIGTERM');
      const exited = await Promise.race([proc.exited.then(() => true), Bun.sleep(10_000).then(() => false)]);
      if (!exited) proc.kill('SIGTERM');
      await proc.exited;
      rmSync(env.DATA_DIR!, { recursive: true, force: true });
    },
  };
}

export function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
  } catch {
    return '';
  }
}

export const admin = (url: string) => createSwitchboardClient({ url, token: ADMIN_KEY });

/** A user with a large balance, a key, and `model` priced and served by `baseUrl`. */
export async function seedRelay(url: string, channels: Array<{ name: string; baseUrl: string; models: string[]; mapping?: Record<string, string> }>): Promise<string> {
  const sb = admin(url);
  for (const c of channels) {
    await sb.channels.create.mutate({ name: c.name, type: 1, baseUrl: c.baseUrl, key: 'sk-bench', models: c.models, ...(c.mapping ? { mapping: c.mapping } : {}) });
    for (const m of c.models) await sb.prices.set.mutate({ model: m, inputUsdPerM: '0.15', outputUsdPerM: '0.6' });
  }
  await sb.users.create.mutate({ username: 'bench', balanceUsd: '1000000' });
  return (await sb.keys.create.mutate({ name: 'bench', user: 'bench' })).key;
}

/** user+system CPU seconds of one process. */
export function cpuSeconds(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

/**
 * CPU seconds of the Postgres backends serving database `db` (their title is
 * `postgres: [cluster: ]user db host(port) state`): the work done for this benchmark's
 * gateway only, not other databases' on a shared server, nor the shared background processes.
 */
export function postgresBackendCpuSeconds(db: string): number {
  let t = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const c = cmdline(Number(d));
    if (c.startsWith('postgres:') && c.includes(` ${db} `)) t += cpuSeconds(Number(d));
  }
  return t;
}

/** CPU seconds of the PostgreSQL processes among `pid`'s descendants (an embedded server). */
export function treePostgresCpuSeconds(pid: number): number {
  return processTree(pid).filter((p) => /(^|\/)postgres( |$)|^postgres:/.test(cmdline(p))).reduce((a, p) => a + cpuSeconds(p), 0);
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** MiB (2^20 bytes, what /proc reports in kB) to MB (10^6 bytes, the unit of issue 23's goals). */
export const miBToMB = (mib: number): number => (mib * 1048576) / 1e6;

/** Where benchmark-only packages are installed on demand (never project dependencies). Under /tmp: an embedded server running as another OS user must reach its binaries. */
export const CACHE = process.env.BENCH_CACHE ?? join(tmpdir(), 'switchboard-bench-cache');

/** `bun add <spec>` into CACHE/<folder> unless `ready(dir)` already holds; returns the folder. Lifecycle scripts do not run (bun trusts none there). */
export function cachedPackage(folder: string, spec: string, ready: (dir: string) => boolean): string {
  const dir = join(CACHE, folder);
  if (ready(dir)) return dir;
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, 'package.json'))) writeFileSync(join(dir, 'package.json'), '{"name":"bench-cache","private":true}');
  const r = sh(['bun', 'add', '--cwd', dir, spec]);
  if (r.code !== 0) throw new Error(`installing ${spec} failed:\n${r.out.trim().split('\n').slice(-3).join('\n')}`);
  return dir;
}

export const PORTKEY = '@portkey-ai/gateway@1.15.2';

/**
 * Portkey's open-source gateway (the published build: a Hono app on @hono/node-server,
 * `build/start-server.js --port=N --headless`), installed on demand into CACHE and run
 * under Bun. It forwards to the mock with `x-portkey-provider: openai` and
 * `x-portkey-custom-host` (127.0.0.1 is in its default trusted custom hosts). No logging.
 */
export async function startPortkey(port: number, upstream: string): Promise<{ proc: ReturnType<typeof Bun.spawn>; url: string; headers: string }> {
  const entry = 'node_modules/@portkey-ai/gateway/build/start-server.js';
  const dir = cachedPackage('portkey-gateway', PORTKEY, (d) => existsSync(join(d, entry)) && readFileSync(join(d, 'node_modules/@portkey-ai/gateway/package.json'), 'utf8').includes('"version": "1.15.2"'));
  const proc = Bun.spawn(['bun', entry, `--port=${port}`, '--headless'], { cwd: dir, env: { ...process.env, ...RUNTIME_ENV }, stdout: 'ignore', stderr: 'inherit' });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; !(await fetch(url).then((r) => r.ok, () => false)); i++) {
    if (proc.exitCode !== null) throw new Error(`Portkey exited with ${proc.exitCode}`);
    if (i === 300) {
      proc.kill();
      throw new Error(`Portkey did not answer on ${url} within 30 s`);
    }
    await Bun.sleep(100);
  }
  return { proc, url, headers: `x-portkey-provider: openai;x-portkey-custom-host: ${upstream}/v1` };
}

/** The process and all its descendants (a database server started as a child counts too). */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch {}
  }
  const out: number[] = [];
  const walk = (p: number) => { out.push(p); for (const c of children.get(p) ?? []) walk(c); };
  walk(pid);
  return out;
}

/** Resident memory of the whole process tree (Σ VmRSS; shared pages of a child server count once per process). */
export function treeRssMiB(pid: number): number {
  return processTree(pid).reduce((sum, p) => sum + rssMiB(p), 0);
}

/** Proportional set size of the process tree (shared pages divided among the processes sharing them). */
export function treePssMiB(pid: number): number {
  return processTree(pid).reduce((sum, p) => {
    try {
      return sum + Number(/Pss:\s+(\d+)/.exec(readFileSync(`/proc/${p}/smaps_rollup`, 'utf8'))?.[1] ?? 0) / 1024;
    } catch {
      return sum;
    }
  }, 0);
}

export function rssMiB(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** Σ cost of logged calls against the user's balance change: must be equal. */
export async function exactness(sql: postgres.Sql): Promise<{ calls: number; cost: string; spent: string; exact: boolean }> {
  const [t] = await sql<Array<{ n: number; spent: string; cost: string }>>`
    SELECT (SELECT count(*)::int FROM call_logs) AS n,
           (SELECT (1000000000000000 - balance)::text FROM users WHERE username = 'bench') AS spent,
           (SELECT coalesce(sum(cost), 0)::text FROM call_logs l JOIN users u ON u.id = l.user_id WHERE u.username = 'bench') AS cost`;
  return { calls: t!.n, cost: t!.cost, spent: t!.spent, exact: t!.cost === t!.spent };
}

/** A 10-line bare Bun `fetch` proxy to `upstream` (the floor any gateway is compared with). */
export function startBareProxy(upstream: string): { url: string; proc: ReturnType<typeof Bun.spawn> } {
  const port = freePort();
  const code = `Bun.serve({ port: ${port}, hostname: '127.0.0.1', async fetch(req) {
    const u = new URL(req.url);
    const res = await fetch('${upstream}' + u.pathname + u.search, { method: req.method, headers: req.headers, body: req.body });
    return new Response(res.body, { status: res.status, headers: res.headers });
  } });`;
  const proc = Bun.spawn(['bun', '-e', code], { env: { ...process.env, ...RUNTIME_ENV }, stdout: 'inherit', stderr: 'inherit' });
  return { url: `http://127.0.0.1:${port}`, proc };
}
