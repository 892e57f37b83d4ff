// A PostgreSQL server of the test's own (initdb + pg_ctl from /usr/lib/postgresql/*/bin into a
// temporary directory, on a free port), for tests that stop and restart the database. The
// shared server on 127.0.0.1:5432 is never touched. As root, the server runs as the
// `postgres` OS user (PostgreSQL refuses to run as root).
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PrivatePostgres {
  url: string;
  port: number;
  start(): Promise<void>;
  /** Fast shutdown: open sessions are terminated, as when an operator restarts the server. */
  stop(): Promise<void>;
  destroy(): Promise<void>;
}

function binDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : null;
}

export const privatePostgresAvailable = () => binDir() !== null;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir();
  if (!bin) throw new Error('no PostgreSQL binaries under /usr/lib/postgresql');
  const root = mkdtempSync(join(tmpdir(), 'sb-pg-'));
  const data = join(root, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number((await Bun.$`id -u postgres`.quiet().text()).trim());
    const gid = Number((await Bun.$`id -g postgres`.quiet().text()).trim());
    chownSync(root, uid, gid);
  }
  const run = async (args: string[]) => {
    const cmd = asRoot ? ['runuser', '-u', 'postgres', '--', ...args] : args;
    const p = Bun.spawn(cmd, { stdout: 'pipe', stderr: 'pipe', env: { PATH: process.env.PATH ?? '', LC_ALL: 'C' } });
    const [code, out, err] = await Promise.all([p.exited, new Response(p.stdout).text(), new Response(p.stderr).text()]);
    if (code !== 0) throw new Error(`${args.join(' ')} failed (${code}): ${out}${err}`);
  };
  await run([join(bin, 'initdb'), '-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const opts = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50 -c shared_buffers=32MB`;
  const pg: PrivatePostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start: () => run([join(bin, 'pg_ctl'), '-D', data, '-o', opts, '-l', join(root, 'log'), '-w', '-t', '60', 'start']),
    stop: () => run([join(bin, 'pg_ctl'), '-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']),
    async destroy() {
      await run([join(bin, 'pg_ctl'), '-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
      rmSync(root, { recursive: true, force: true });
    },
  };
  await pg.start();
  return pg;
}
