// `bun start` builds the console when web/dist is missing or older than its sources.
// A compiled binary carries the console embedded and skips this.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { embeddedAssets } from './embedded.gen.ts';

const webDir = resolve(import.meta.dir, '../../web');
const SOURCES = ['src', 'public', 'index.html', 'vite.config.ts'];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return readdirSync(path).reduce((max, name) => Math.max(max, newestMtime(join(path, name))), st.mtimeMs);
}

export function consoleIsStale(): boolean {
  const built = join(webDir, 'dist', 'index.html');
  if (!existsSync(built)) return true;
  const sources = Math.max(...SOURCES.map((s) => newestMtime(join(webDir, s))));
  return sources > statSync(built).mtimeMs;
}

/** Rebuild web/dist if needed. Returns true when it built. */
export async function ensureConsoleBuilt(log: (msg: string) => void = console.log): Promise<boolean> {
  if (embeddedAssets || !existsSync(join(webDir, 'build.ts')) || !consoleIsStale()) return false;
  log('building the web console (web/dist is missing or older than web/src)');
  // A child process keeps Vite out of the server's memory.
  const p = Bun.spawn(['bun', join(webDir, 'build.ts')], { cwd: resolve(webDir, '..'), stdout: 'inherit', stderr: 'inherit' });
  if ((await p.exited) !== 0) throw new Error('building the web console failed (bun web/build.ts)');
  return true;
}
