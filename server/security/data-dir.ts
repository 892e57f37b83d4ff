// DATA_DIR holds the master secret, the admin key, the embedded database and the settlement
// journal: owner-only. The directory is made 0700 and everything already in it 0700/0600 (a
// directory left by an older version or a copied backup), and the process's umask becomes 077
// so every file created afterwards (PGlite's, the journal's) is 0600 from the start.
// One exception: the embedded PostgreSQL server's cluster (pg18) belongs to another OS user
// when the gateway runs as root; PostgreSQL keeps its modes itself (0700), and DATA_DIR keeps
// search (x, never read) for others so that user can reach it.
import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Returns how many entries had their mode tightened. */
export function secureDataDir(dir: string): number {
  process.umask(0o077);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return tighten(dir, serverOwnedElsewhere(dir) ? 0o011 : 0);
}

/** DATA_DIR/pg18 exists and belongs to another OS user (the server's, when we are root). */
function serverOwnedElsewhere(dir: string): boolean {
  try {
    return lstatSync(join(dir, 'pg18')).uid !== process.getuid?.();
  } catch {
    return false;
  }
}

function tighten(path: string, keep = 0): number {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) return 0;
  let fixed = 0;
  // Group and other lose every bit (but `keep`); the owner keeps its own.
  if ((st.mode & 0o077 & ~keep) !== 0) {
    chmodSync(path, st.mode & (0o700 | keep));
    fixed++;
  }
  if (st.isDirectory()) {
    for (const name of readdirSync(path)) {
      if (keep && name === 'pg18') continue;
      fixed += tighten(join(path, name));
    }
  }
  return fixed;
}
