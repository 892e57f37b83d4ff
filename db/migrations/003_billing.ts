// Billing across instances: balance leases, per-channel prices, shared rate-limit
// counters and calendar periods in the configured timezone (see docs/billing.md).
import type { Kysely } from 'kysely';
import { execScript } from '../script.ts';

export async function up(db: Kysely<any>): Promise<void> {
  await execScript(db, `
    -- Σ of the leases every instance holds against this balance / key budget.
    ALTER TABLE users ADD COLUMN leased int8 NOT NULL DEFAULT 0 CHECK (leased >= 0);
    ALTER TABLE api_keys ADD COLUMN leased int8 NOT NULL DEFAULT 0 CHECK (leased >= 0);

    -- One row per instance and subject; heartbeat_at lets any instance reclaim the leases
    -- of one that died.
    CREATE TABLE billing_leases (
      instance     text NOT NULL,
      kind         text NOT NULL CHECK (kind IN ('user','key')),
      subject_id   int NOT NULL,
      amount       int8 NOT NULL CHECK (amount >= 0),
      heartbeat_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (instance, kind, subject_id)
    );
    CREATE INDEX billing_leases_heartbeat ON billing_leases(heartbeat_at);

    -- A channel's own price for a model wins over the price table.
    CREATE TABLE channel_prices (
      channel_id     int NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
      model          text NOT NULL,
      input          int8 NOT NULL DEFAULT 0,
      output         int8 NOT NULL DEFAULT 0,
      cache_read     int8,
      cache_write_5m int8,
      cache_write_1h int8,
      per_request    int8,
      extra          jsonb NOT NULL DEFAULT '{}',
      updated_at     timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (channel_id, model)
    );

    -- Sliding-window rate-limit counters: one row per subject and time bucket.
    CREATE TABLE rate_counters (
      subject text NOT NULL,
      bucket  int8 NOT NULL,
      used    int8 NOT NULL,
      PRIMARY KEY (subject, bucket)
    );

    CREATE FUNCTION billing_timezone() RETURNS text LANGUAGE sql STABLE AS $$
      SELECT COALESCE((SELECT value #>> '{}' FROM settings WHERE key = 'billing_timezone'), 'UTC')
    $$;

    -- Start of the calendar day / ISO week / month containing "at", in the billing timezone.
    CREATE FUNCTION billing_period_start(period text, at timestamptz, tz text DEFAULT billing_timezone())
    RETURNS timestamptz LANGUAGE sql STABLE AS $$
      SELECT date_trunc(CASE period WHEN 'daily' THEN 'day' WHEN 'weekly' THEN 'week' ELSE 'month' END, at AT TIME ZONE tz) AT TIME ZONE tz
    $$;

    -- Atomically check and take amounts from several sliding windows: all or nothing.
    -- Takers of the same subjects are serialised by advisory locks taken in sorted order;
    -- time is the database's clock, so instances with skewed clocks still agree.
    -- A zero amount only checks that the window is not already full.
    CREATE FUNCTION rate_take(p_subjects text[], p_limits int8[], p_amounts int8[], p_window_ms int8, p_bucket_ms int8)
    RETURNS TABLE(subject text, used int8, reset_ms int8, allowed boolean) LANGUAGE plpgsql AS $$
    #variable_conflict use_column
    DECLARE
      p_now_ms int8 := (extract(epoch FROM clock_timestamp()) * 1000)::int8;
      cur int8 := p_now_ms / p_bucket_ms;
      first_bucket int8 := (p_now_ms - p_window_ms) / p_bucket_ms + 1;
      n int := coalesce(array_length(p_subjects, 1), 0);
      used_now int8[] := '{}';
      oldest int8[] := '{}';
      u int8;
      o int8;
      ok boolean := true;
    BEGIN
      PERFORM pg_advisory_xact_lock(hashtext(s)) FROM (SELECT DISTINCT unnest(p_subjects) AS s ORDER BY 1) x;
      FOR i IN 1..n LOOP
        SELECT coalesce(sum(c.used), 0), min(c.bucket) INTO u, o
          FROM rate_counters c WHERE c.subject = p_subjects[i] AND c.bucket >= first_bucket;
        used_now := used_now || greatest(u, 0);
        oldest := oldest || coalesce(o, cur);
        IF greatest(u, 0) + greatest(p_amounts[i], 0) > p_limits[i] OR (p_amounts[i] <= 0 AND greatest(u, 0) >= p_limits[i]) THEN
          ok := false;
        END IF;
      END LOOP;
      IF ok THEN
        INSERT INTO rate_counters AS c (subject, bucket, used)
          SELECT t.s, cur, t.a FROM unnest(p_subjects, p_amounts) AS t(s, a) WHERE t.a <> 0
          ON CONFLICT ON CONSTRAINT rate_counters_pkey DO UPDATE SET used = c.used + EXCLUDED.used;
      END IF;
      RETURN QUERY SELECT p_subjects[i], used_now[i] + CASE WHEN ok THEN greatest(p_amounts[i], 0) ELSE 0 END,
        greatest(oldest[i] * p_bucket_ms + p_window_ms - p_now_ms, 0), ok
        FROM generate_subscripts(p_subjects, 1) AS i;
    END
    $$;
  `);
}
