// DATA_DIR holds the master secret, the admin key, the embedded database and the settlement
// journal: owner-only. The directory is made 0700 and everything already in it 0700/0600 (a
// directory left by an older version or a copied backup), and the process's umask becomes 077
// so every file created afterwards (PGlite's, the journal's) is 0600 from the start.
import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Returns how many entries had their mode tightened. */
export function secureDataDir(dir: string): number {
  process.umask(0o077);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return tighten(dir);
}

function tighten(path: string): number {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) return 0;
  let fixed = 0;
  // Group and other lose every bit; the owner keeps its own.
  if ((st.mode & 0o077) !== 0) {
    chmodSync(path, st.mode & 0o700);
    fixed++;
  }
  if (st.isDirectory()) for (const name of readdirSync(path)) fixed += tighten(join(path, name));
  return fixed;
}
