// A real Switchboard on a random port, against PGlite or real Postgres, plus helpers to
// seed it through the real admin API.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSwitchboardClient } from '../../client/index.ts';
import { loadConfig } from '../../server/config.ts';
import { type RunningGateway, startGateway } from '../../server/gateway.ts';
import { type DbKind, freshPgliteDir, freshPostgres } from './databases.ts';

export const ADMIN_KEY = 'test-admin-key-0123456789';

export interface TestGateway extends RunningGateway {
  admin: ReturnType<typeof createSwitchboardClient>;
  /** Wait until queued logs and settlements are committed. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export async function startTestGateway(kind: DbKind, env: Record<string, string> = {}): Promise<TestGateway> {
  let dataDir: string;
  let databaseUrl: string | undefined;
  let drop = async () => {};
  if (kind === 'pglite') {
    dataDir = await freshPgliteDir();
  } else {
    dataDir = mkdtempSync(join(tmpdir(), 'sb-data-'));
    const pg = await freshPostgres('sb_test', { migrated: true });
    databaseUrl = pg.url;
    drop = pg.drop;
  }
  // PGlite explicitly: an existing DATA_DIR/pg would otherwise be moved into a PostgreSQL server.
  return launchTestGateway(dataDir, { ...(databaseUrl ? { DATABASE_URL: databaseUrl } : { EMBEDDED_DB: 'pglite' }), ...env }, drop);
}

/** A real gateway on `dataDir` with the test defaults under `env`; `close` also runs `cleanup` and removes the dir. */
export async function launchTestGateway(dataDir: string, env: Record<string, string>, cleanup: () => Promise<void> = async () => {}): Promise<TestGateway> {
  const running = await startGateway(loadConfig({
    PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, ADMIN_KEY, ADMIN_PASSWORD: 'test-root-password',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', FLUSH_INTERVAL_MS: '50',
    ...env,
  }));
  return {
    ...running,
    admin: createSwitchboardClient({ url: running.url, token: ADMIN_KEY }),
    flush: () => running.gw.writer.flush(),
    async close() {
      await running.stop();
      await cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Both database kinds, for `describe.each`. */
export const DB_KINDS: DbKind[] = ['pglite', 'postgres'];
