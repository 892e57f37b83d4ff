import { type Kysely, sql } from 'kysely';
import { histogramSql } from '../../server/logs/latency-histogram.ts';
import { DAY_MS, dayStart, ensurePartitions } from '../../server/logs/partitions.ts';
import { execScript } from '../script.ts';

// Call logs at scale (docs/logs.md): call_logs becomes range-partitioned by day on
// created_at (same columns), captured bodies get their own partitioned table, and an
// AFTER INSERT statement trigger keeps hourly rollups (usage_hourly, usage_hourly_models)
// up to date for every writer of call_logs (relay, importer, benchmarks).

const ROLLUP_COLUMNS = `
      calls              int8 NOT NULL,
      errors_4xx         int8 NOT NULL,
      errors_5xx         int8 NOT NULL,
      prompt_tokens      int8 NOT NULL,
      completion_tokens  int8 NOT NULL,
      cached_tokens      int8 NOT NULL,
      cache_write_tokens int8 NOT NULL,
      reasoning_tokens   int8 NOT NULL,
      cost               int8 NOT NULL,
      latency_ms_sum     int8 NOT NULL,
      latency_hist       int8[] NOT NULL,`.slice(1);

const SUMMED = ['calls', 'errors_4xx', 'errors_5xx', 'prompt_tokens', 'completion_tokens', 'cached_tokens', 'cache_write_tokens', 'reasoning_tokens', 'cost', 'latency_ms_sum'];

/** The trigger's upsert of one rollup table from the statement's inserted rows (`new_rows`). */
function upsert(table: string, dims: string[], dimColumns: string[]): string {
  const keys = ['hour', ...dimColumns].join(', ');
  return `
      INSERT INTO ${table} AS u (${keys}, ${SUMMED.join(', ')}, latency_hist)
      SELECT date_trunc('hour', created_at, 'UTC'), ${dims.join(', ')},
        count(*), count(*) FILTER (WHERE status BETWEEN 400 AND 499), count(*) FILTER (WHERE status >= 500),
        sum(prompt_tokens), sum(completion_tokens), sum(cached_tokens), sum(cache_write_tokens), sum(reasoning_tokens),
        sum(cost)::int8, sum(latency_ms), ${histogramSql('latency_ms')}
      FROM new_rows GROUP BY ${dims.map((_, i) => i + 1).concat(dims.length + 1).join(', ')} ORDER BY ${dims.map((_, i) => i + 1).concat(dims.length + 1).join(', ')}
      ON CONFLICT (${keys}) DO UPDATE SET
        ${SUMMED.map((c) => `${c} = u.${c} + EXCLUDED.${c}`).join(',\n        ')},
        latency_hist = ARRAY(SELECT a + b FROM unnest(u.latency_hist, EXCLUDED.latency_hist) WITH ORDINALITY AS t(a, b, i) ORDER BY i);`;
}

export async function up(db: Kysely<any>): Promise<void> {
  await execScript(db, `
    ALTER TABLE call_logs RENAME TO call_logs_legacy;

    CREATE TABLE call_logs (
      id                 bigint NOT NULL DEFAULT nextval('call_logs_id_seq'),
      request_id         text NOT NULL,
      created_at         timestamptz NOT NULL,
      user_id            int,
      key_id             int,
      channel_id         int,
      attempts           jsonb NOT NULL DEFAULT '[]',
      endpoint           text NOT NULL,
      model              text NOT NULL DEFAULT '',
      upstream_model     text,
      stream             boolean NOT NULL DEFAULT false,
      status             smallint NOT NULL,
      error_type         text,
      error_message      text,
      prompt_tokens      int NOT NULL DEFAULT 0,
      completion_tokens  int NOT NULL DEFAULT 0,
      cached_tokens      int NOT NULL DEFAULT 0,
      cache_write_tokens int NOT NULL DEFAULT 0,
      reasoning_tokens   int NOT NULL DEFAULT 0,
      cost               int8 NOT NULL DEFAULT 0,
      latency_ms         int NOT NULL DEFAULT 0,
      ttft_ms            int,
      overhead_us        int,
      client_ip          text,
      user_agent         text,
      estimated          boolean NOT NULL DEFAULT false
    ) PARTITION BY RANGE (created_at);
    CREATE TABLE call_logs_default PARTITION OF call_logs DEFAULT;

    CREATE TABLE call_bodies (
      request_id         text NOT NULL,
      created_at         timestamptz NOT NULL,
      request_headers    jsonb NOT NULL DEFAULT '{}',
      request            text,
      response           text,
      request_bytes      int NOT NULL DEFAULT 0,
      response_bytes     int NOT NULL DEFAULT 0,
      truncated          boolean NOT NULL DEFAULT false,
      PRIMARY KEY (request_id, created_at)
    ) PARTITION BY RANGE (created_at);
    CREATE TABLE call_bodies_default PARTITION OF call_bodies DEFAULT;

    CREATE TABLE usage_hourly (
      hour               timestamptz NOT NULL,
      model              text NOT NULL,
      channel_id         int NOT NULL,
      key_id             int NOT NULL,
      user_id            int NOT NULL,
${ROLLUP_COLUMNS}
      PRIMARY KEY (hour, model, channel_id, key_id, user_id)
    );
    CREATE INDEX usage_hourly_user ON usage_hourly(user_id, hour);
    CREATE INDEX usage_hourly_key ON usage_hourly(key_id, hour);

    -- The same without key and user: what operator dashboards read, a few rows per hour.
    CREATE TABLE usage_hourly_models (
      hour               timestamptz NOT NULL,
      model              text NOT NULL,
      channel_id         int NOT NULL,
${ROLLUP_COLUMNS}
      PRIMARY KEY (hour, model, channel_id)
    );

    CREATE FUNCTION call_logs_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
${upsert('usage_hourly', ['model', 'coalesce(channel_id, 0)', 'coalesce(key_id, 0)', 'coalesce(user_id, 0)'], ['model', 'channel_id', 'key_id', 'user_id'])}
${upsert('usage_hourly_models', ['model', 'coalesce(channel_id, 0)'], ['model', 'channel_id'])}
      RETURN NULL;
    END $$;
    CREATE TRIGGER call_logs_rollup AFTER INSERT ON call_logs REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION call_logs_rollup();
  `);

  // Partitions for the days the old table covers (last 400 days; older rows go to the
  // default partition) and the next few days, then the copy fills them and the rollups.
  const days = await sql<{ day: Date }>`
    SELECT DISTINCT date_trunc('day', created_at, 'UTC') AS day FROM call_logs_legacy
    WHERE created_at > now() - interval '400 days' ORDER BY 1`.execute(db);
  for (const table of ['call_logs', 'call_bodies'] as const) {
    for (const { day } of days.rows) await ensurePartitions(db, table, new Date(day).getTime(), new Date(day).getTime());
    await ensurePartitions(db, table, dayStart(Date.now()) - DAY_MS, dayStart(Date.now()) + 3 * DAY_MS);
  }

  await execScript(db, `
    INSERT INTO call_logs SELECT * FROM call_logs_legacy;
    ALTER SEQUENCE call_logs_id_seq OWNED BY NONE;
    DROP TABLE call_logs_legacy;
    ALTER SEQUENCE call_logs_id_seq OWNED BY call_logs.id;

    ALTER TABLE call_logs ADD PRIMARY KEY (id, created_at);
    CREATE UNIQUE INDEX call_logs_request ON call_logs(request_id, created_at);
    CREATE INDEX call_logs_time ON call_logs(created_at DESC, id DESC);
    CREATE INDEX call_logs_user_time ON call_logs(user_id, created_at DESC, id DESC);
    CREATE INDEX call_logs_key_time ON call_logs(key_id, created_at DESC, id DESC);
    CREATE INDEX call_logs_channel_time ON call_logs(channel_id, created_at DESC, id DESC);
    CREATE INDEX call_logs_model_time ON call_logs(model, created_at DESC, id DESC);
    CREATE INDEX call_logs_errors_time ON call_logs(created_at DESC, id DESC) WHERE status >= 400;
  `);

  // Error text search: a trigram index where pg_trgm can be installed (real Postgres);
  // elsewhere the search walks the small partial index of failed calls.
  await sql.raw(`
    DO $$ BEGIN
      BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
      EXCEPTION WHEN OTHERS THEN
        RAISE NOTICE 'pg_trgm unavailable: %', SQLERRM;
      END;
      IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        CREATE INDEX call_logs_error_trgm ON call_logs USING gin (error_message gin_trgm_ops) WHERE status >= 400;
      END IF;
    END $$`).execute(db);
}
