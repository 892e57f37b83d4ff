// Which embedded database a gateway without DATABASE_URL runs on (db/embedded-server.ts):
// EMBEDDED_DB wins; an existing PGlite DATA_DIR is moved into the server once; as root, a DATA_DIR the
// PostgreSQL OS user cannot reach (a checkout under /root, 0700) falls back to PGlite
// instead of failing `bun start`.
import { describe, expect, test } from 'bun:test';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chooseEmbedded } from '../../db/embedded-server.ts';

const asRoot = process.getuid?.() === 0;

describe('embedded database choice', () => {
  test('EMBEDDED_DB wins', () => {
    expect(chooseEmbedded('/nowhere/data', 'pglite').kind).toBe('pglite');
    expect(chooseEmbedded('/nowhere/data', 'postgres').kind).toBe('postgres');
  });

  test('an existing PGlite DATA_DIR is moved to the server (EMBEDDED_DB=pglite keeps it); a fresh one gets the server', () => {
    const top = mkdtempSync(join(tmpdir(), 'sb-choice-'));
    try {
      chmodSync(top, 0o755);
      const old = join(top, 'old');
      mkdirSync(join(old, 'pg'), { recursive: true });
      writeFileSync(join(old, 'pg', 'PG_VERSION'), '17\n');
      const reach = chooseEmbedded(join(top, 'probe'), undefined);
      // Unless (as root) this checkout is out of the server user's reach, the PGlite data moves.
      if (reach.kind === 'postgres') expect(chooseEmbedded(old, undefined)).toEqual({ kind: 'postgres', move: true });
      expect(chooseEmbedded(old, 'postgres')).toEqual({ kind: 'postgres', move: true });
      expect(chooseEmbedded(old, 'pglite')).toEqual({ kind: 'pglite' });
      // Moved, or a cluster the operator made: nothing to move. A move left unfinished: again.
      mkdirSync(join(old, 'pg18'));
      expect(chooseEmbedded(old, 'postgres')).toEqual({ kind: 'postgres' });
      writeFileSync(join(old, 'pg-move.pending'), 'x');
      expect(chooseEmbedded(old, 'postgres')).toEqual({ kind: 'postgres', move: true });
      // Fresh: the server, unless (as root) this checkout is out of the server user's reach.
      const fresh = chooseEmbedded(join(top, 'fresh'), undefined);
      if (fresh.kind === 'pglite') expect(asRoot && fresh.reason?.startsWith('root:')).toBe(true);
    } finally {
      rmSync(top, { recursive: true, force: true });
    }
  });

  test('as root, a DATA_DIR under a directory others cannot pass through falls back to PGlite', () => {
    const top = mkdtempSync(join(tmpdir(), 'sb-choice-'));
    try {
      chmodSync(top, 0o755);
      const home = join(top, 'home');
      mkdirSync(home, { mode: 0o700 });
      chmodSync(home, 0o700);
      const choice = chooseEmbedded(join(home, 'checkout', 'data'), undefined);
      if (asRoot) expect(choice).toEqual({ kind: 'pglite', reason: `root: ${home} is not reachable by other users` });
      else expect(choice.kind).toBe('postgres');
    } finally {
      rmSync(top, { recursive: true, force: true });
    }
  });
});
