// Loaded before every test file (bunfig.toml). Resolves the Postgres server used by the
// "real Postgres" variants: TEST_DATABASE_URL, else the local server on 127.0.0.1:5432.
process.env.TEST_DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';
