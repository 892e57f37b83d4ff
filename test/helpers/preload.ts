// Loaded before every test file (bunfig.toml). Resolves the Postgres server used by the
// "real Postgres" variants: TEST_DATABASE_URL, else the local server on 127.0.0.1:5432.
// Builds the console once if web/dist is missing or stale, so servers started by tests
// (`bun server/main.ts`) don't each rebuild it on their own.
import { ensureConsoleBuilt } from '../../server/web/freshness.ts';

process.env.TEST_DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';
await ensureConsoleBuilt(() => {});
