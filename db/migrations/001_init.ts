import type { Kysely } from 'kysely';
import { execScript } from '../script.ts';

export async function up(db: Kysely<any>): Promise<void> {
  await execScript(db, `
    CREATE TABLE users (
      id            serial PRIMARY KEY,
      username      text NOT NULL UNIQUE,
      display_name  text NOT NULL DEFAULT '',
      password_hash text,
      role          text NOT NULL DEFAULT 'user' CHECK (role IN ('root','admin','user')),
      status        smallint NOT NULL DEFAULT 1,
      group_name    text NOT NULL DEFAULT 'default',
      balance       int8 NOT NULL DEFAULT 0,
      unlimited     boolean NOT NULL DEFAULT false,
      used          int8 NOT NULL DEFAULT 0,
      rpm           int,
      tpm           int,
      oneapi_id     int UNIQUE,
      created_at    timestamptz NOT NULL DEFAULT now(),
      updated_at    timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE api_keys (
      id            serial PRIMARY KEY,
      user_id       int NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      name          text NOT NULL DEFAULT '',
      key_hash      text NOT NULL UNIQUE,
      key_hint      text NOT NULL,
      status        smallint NOT NULL DEFAULT 1,
      budget        int8,
      used          int8 NOT NULL DEFAULT 0,
      period        text CHECK (period IN ('daily','weekly','monthly')),
      period_budget int8,
      period_used   int8 NOT NULL DEFAULT 0,
      period_start  timestamptz,
      expires_at    timestamptz,
      models        text[],
      ip_allow      text[],
      groups        text[],
      rpm           int,
      tpm           int,
      oneapi_id     int UNIQUE,
      created_at    timestamptz NOT NULL DEFAULT now(),
      last_used_at  timestamptz
    );
    CREATE INDEX api_keys_user ON api_keys(user_id);

    CREATE TABLE channels (
      id                 serial PRIMARY KEY,
      name               text NOT NULL,
      type               int NOT NULL,
      base_url           text NOT NULL DEFAULT '',
      models             text[] NOT NULL DEFAULT '{}',
      model_mapping      jsonb NOT NULL DEFAULT '{}',
      priority           int NOT NULL DEFAULT 0,
      weight             int NOT NULL DEFAULT 1 CHECK (weight >= 0),
      groups             text[] NOT NULL DEFAULT '{default}',
      status             smallint NOT NULL DEFAULT 1,
      status_reason      text,
      config             jsonb NOT NULL DEFAULT '{}',
      headers            jsonb NOT NULL DEFAULT '{}',
      param_override     jsonb NOT NULL DEFAULT '{}',
      system_prompt      text,
      balance            int8,
      balance_updated_at timestamptz,
      used               int8 NOT NULL DEFAULT 0,
      test_at            timestamptz,
      test_latency_ms    int,
      oneapi_id          int UNIQUE,
      created_at         timestamptz NOT NULL DEFAULT now(),
      updated_at         timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE channel_keys (
      id             serial PRIMARY KEY,
      channel_id     int NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
      key_enc        text NOT NULL,
      key_hint       text NOT NULL,
      position       int NOT NULL DEFAULT 0,
      status         smallint NOT NULL DEFAULT 1,
      status_reason  text,
      cooldown_until timestamptz
    );
    CREATE INDEX channel_keys_channel ON channel_keys(channel_id, position);

    CREATE TABLE prices (
      model          text PRIMARY KEY,
      input          int8 NOT NULL DEFAULT 0,
      output         int8 NOT NULL DEFAULT 0,
      cache_read     int8,
      cache_write_5m int8,
      cache_write_1h int8,
      per_request    int8,
      extra          jsonb NOT NULL DEFAULT '{}',
      source         text,
      updated_at     timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE call_logs (
      id                 bigserial PRIMARY KEY,
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
    );
    CREATE UNIQUE INDEX call_logs_request ON call_logs(request_id);
    CREATE INDEX call_logs_time ON call_logs(created_at DESC, id DESC);
    CREATE INDEX call_logs_key_time ON call_logs(key_id, created_at DESC);
    CREATE INDEX call_logs_user_time ON call_logs(user_id, created_at DESC);

    CREATE TABLE ledger (
      id            bigserial PRIMARY KEY,
      user_id       int NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      created_at    timestamptz NOT NULL DEFAULT now(),
      kind          text NOT NULL,
      amount        int8 NOT NULL,
      balance_after int8 NOT NULL,
      calls         int NOT NULL DEFAULT 0,
      note          text,
      actor         text
    );
    CREATE INDEX ledger_user_time ON ledger(user_id, created_at DESC);

    CREATE TABLE groups (
      name           text PRIMARY KEY,
      -- price multiplier in parts per million: 1000000 = x1, 800000 = x0.8
      multiplier_ppm int NOT NULL DEFAULT 1000000 CHECK (multiplier_ppm >= 0),
      description    text NOT NULL DEFAULT ''
    );
    INSERT INTO groups(name) VALUES ('default');

    CREATE TABLE redemption_codes (
      id          serial PRIMARY KEY,
      name        text NOT NULL DEFAULT '',
      code_hash   text NOT NULL UNIQUE,
      code_hint   text NOT NULL,
      amount      int8 NOT NULL CHECK (amount > 0),
      status      smallint NOT NULL DEFAULT 1,
      created_by  text,
      created_at  timestamptz NOT NULL DEFAULT now(),
      redeemed_at timestamptz,
      redeemed_by int REFERENCES users(id) ON DELETE SET NULL,
      oneapi_id   int UNIQUE
    );

    CREATE TABLE settings (
      key        text PRIMARY KEY,
      value      jsonb NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
  `);
}
