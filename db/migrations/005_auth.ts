// Console sessions, personal access tokens, the audit log and login throttling counters.
// Secrets (session tokens, PATs) are stored only as sha256 hex.
import type { Kysely } from 'kysely';
import { execScript } from '../script.ts';

export async function up(db: Kysely<any>): Promise<void> {
  await execScript(db, `
    CREATE TABLE sessions (
      id              bigserial PRIMARY KEY,
      user_id         int NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      token_hash      text NOT NULL UNIQUE,
      -- the token before the last rotation, accepted for a short grace period
      prev_token_hash text,
      created_at      timestamptz NOT NULL DEFAULT now(),
      rotated_at      timestamptz NOT NULL DEFAULT now(),
      expires_at      timestamptz NOT NULL,
      last_seen_at    timestamptz NOT NULL DEFAULT now(),
      ip              text,
      user_agent      text,
      revoked_at      timestamptz
    );
    CREATE INDEX sessions_prev_token ON sessions(prev_token_hash) WHERE prev_token_hash IS NOT NULL;
    CREATE INDEX sessions_user ON sessions(user_id);

    CREATE TABLE access_tokens (
      id           serial PRIMARY KEY,
      user_id      int NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      name         text NOT NULL,
      token_hash   text NOT NULL UNIQUE,
      token_hint   text NOT NULL,
      created_at   timestamptz NOT NULL DEFAULT now(),
      expires_at   timestamptz,
      last_used_at timestamptz,
      revoked_at   timestamptz
    );
    CREATE INDEX access_tokens_user ON access_tokens(user_id);

    CREATE TABLE audit_log (
      id            bigserial PRIMARY KEY,
      created_at    timestamptz NOT NULL DEFAULT now(),
      actor_kind    text NOT NULL,
      -- no foreign key: the trail outlives the account
      actor_user_id int,
      actor_name    text NOT NULL,
      action        text NOT NULL,
      target        text,
      input         jsonb,
      before        jsonb,
      after         jsonb,
      ok            boolean NOT NULL,
      error         text,
      ip            text
    );
    CREATE INDEX audit_log_actor ON audit_log(actor_user_id, id DESC);
    CREATE INDEX audit_log_action ON audit_log(action, id DESC);

    -- failed sign-ins per key ('ip:<addr>' or 'user:<name>') in the current window
    CREATE TABLE login_throttle (
      key          text PRIMARY KEY,
      failures     int NOT NULL,
      window_start timestamptz NOT NULL,
      locked_until timestamptz
    );
  `);
}
