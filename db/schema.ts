// The database schema as types. Every query is checked against this interface.
// Money columns are int8 in nano-USD ($1 = 1_000_000_000) and arrive in JS as bigint.
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Money = ColumnType<bigint, bigint | number | undefined, bigint | number>;
// jsonb: pass objects, never JSON strings (postgres.js would store a string scalar).
type Json<T> = ColumnType<T, T | undefined, T>;

/** 1 enabled, 2 disabled by hand, 3 disabled automatically (channels) / deleted (users) / expired (keys), 4 exhausted (keys). */
export type Status = 1 | 2 | 3 | 4;
export type Role = 'root' | 'admin' | 'user';

export interface UsersTable {
  id: Generated<number>;
  username: string;
  display_name: string;
  password_hash: string | null;
  role: Role;
  status: ColumnType<number, number | undefined, number>;
  group_name: ColumnType<string, string | undefined, string>;
  balance: Money;
  /** Post-paid account: calls are still metered and the balance may go below zero. */
  unlimited: ColumnType<boolean, boolean | undefined, boolean>;
  used: Money;
  /** Σ of the balance leases instances hold (003_billing). */
  leased: Money;
  rpm: number | null;
  tpm: number | null;
  oneapi_id: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ApiKeysTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  /** sha256 hex of the full client key (`sk-…`). */
  key_hash: string;
  /** What the console shows: `sk-abcd…wxyz`. */
  key_hint: string;
  status: ColumnType<number, number | undefined, number>;
  /** Total budget cap for this key, null = no cap. */
  budget: Money | null;
  used: Money;
  period: 'daily' | 'weekly' | 'monthly' | null;
  period_budget: Money | null;
  period_used: Money;
  period_start: Timestamp | null;
  /** Σ of the budget leases instances hold (003_billing). */
  leased: Money;
  expires_at: Timestamp | null;
  models: string[] | null;
  ip_allow: string[] | null;
  groups: string[] | null;
  rpm: number | null;
  tpm: number | null;
  oneapi_id: number | null;
  created_at: Timestamp;
  last_used_at: Timestamp | null;
}

export interface ChannelsTable {
  id: Generated<number>;
  name: string;
  /** One API's numeric channel type id (1 OpenAI, 14 Anthropic, 24 Gemini, 36 DeepSeek, 50 OpenAI-compatible, …). */
  type: number;
  base_url: string;
  models: string[];
  model_mapping: Json<Record<string, string>>;
  priority: ColumnType<number, number | undefined, number>;
  weight: ColumnType<number, number | undefined, number>;
  groups: ColumnType<string[], string[] | undefined, string[]>;
  status: ColumnType<number, number | undefined, number>;
  status_reason: string | null;
  config: Json<Record<string, string>>;
  headers: Json<Record<string, string>>;
  param_override: Json<Record<string, unknown>>;
  system_prompt: string | null;
  /** AI Proxy's type id as last sent through /api/channel (011_aiproxy); null: derived from `type`. */
  aiproxy_type: ColumnType<number | null, number | null | undefined, number | null>;
  balance: Money | null;
  balance_updated_at: Timestamp | null;
  /** The upstream balance as the vendor reported it (decimal text) and its currency; `balance` is set only for USD. */
  balance_amount: ColumnType<string | null, string | null | undefined, string | null>;
  balance_currency: ColumnType<string | null, string | null | undefined, string | null>;
  /** Why the last balance query failed, null after a success. */
  balance_error: ColumnType<string | null, string | null | undefined, string | null>;
  used: Money;
  test_at: Timestamp | null;
  test_latency_ms: number | null;
  oneapi_id: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ChannelKeysTable {
  id: Generated<number>;
  channel_id: number;
  /** AES-256-GCM ciphertext (base64 of iv|tag|data) of the upstream key. */
  key_enc: string;
  /** `sk-…abcd`: never the whole key. */
  key_hint: string;
  position: number;
  status: ColumnType<number, number | undefined, number>;
  status_reason: string | null;
  cooldown_until: Timestamp | null;
}

export interface PricesTable {
  model: string;
  /** nano-USD per 1M tokens. */
  input: Money;
  output: Money;
  cache_read: Money | null;
  cache_write_5m: Money | null;
  cache_write_1h: Money | null;
  /** nano-USD per request, on top of tokens. */
  per_request: Money | null;
  /** Other units (images, TTS, STT, long-context tier), see server/billing/pricing.ts. */
  extra: Json<Record<string, unknown>>;
  source: string | null;
  updated_at: Timestamp;
}

export interface CallLogsTable {
  id: Generated<string>;
  request_id: string;
  created_at: Timestamp;
  user_id: number | null;
  key_id: number | null;
  channel_id: number | null;
  /** Every upstream attempt in order: which channel and key, its status, why it failed. */
  attempts: Json<Array<{ channel_id: number; key_id?: number; status: number; error?: string; ms: number }>>;
  endpoint: string;
  model: string;
  upstream_model: string | null;
  stream: boolean;
  status: number;
  error_type: string | null;
  error_message: string | null;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  cost: Money;
  latency_ms: number;
  ttft_ms: number | null;
  /** Time spent in the gateway itself, in microseconds. */
  overhead_us: number | null;
  client_ip: string | null;
  user_agent: string | null;
  estimated: boolean;
  /** Ran with no price at all (ADMIN_KEY calls only, 011_aiproxy): cost 0 means not priced, not free. */
  unpriced: ColumnType<boolean, boolean | undefined, boolean>;
  /** Cache affinity of the call (migration 014): hit, miss or broken; null when it did not apply. */
  affinity: 'hit' | 'miss' | 'broken' | null;
  /** What the upstream charged the operator for this call (channel_cost_prices), nano-USD; null: no cost price. */
  upstream_cost: Money | null;
}

/** Captured request/response bodies (004_logs), redacted and capped; off unless enabled per key or model. */
export interface CallBodiesTable {
  request_id: string;
  created_at: Timestamp;
  request_headers: Json<Record<string, string>>;
  request: string | null;
  response: string | null;
  request_bytes: ColumnType<number, number | undefined, number>;
  response_bytes: ColumnType<number, number | undefined, number>;
  truncated: ColumnType<boolean, boolean | undefined, boolean>;
}

type Count = ColumnType<bigint, bigint | number | undefined, bigint | number>;

/** Hourly rollups per (model, channel, key, user), kept by a trigger on call_logs; 0 = none. */
export interface UsageHourlyTable {
  hour: Timestamp;
  model: string;
  channel_id: number;
  key_id: number;
  user_id: number;
  calls: Count;
  errors_4xx: Count;
  errors_5xx: Count;
  prompt_tokens: Count;
  completion_tokens: Count;
  cached_tokens: Count;
  cache_write_tokens: Count;
  reasoning_tokens: Count;
  cost: Count;
  latency_ms_sum: Count;
  /** Counts per bucket of server/logs/latency-histogram.ts. */
  latency_hist: ColumnType<Array<bigint | string>, bigint[] | undefined, bigint[]>;
}

/** usage_hourly without key and user: what operator dashboards read. */
export type UsageHourlyModelsTable = Omit<UsageHourlyTable, 'key_id' | 'user_id'>;

export type LedgerKind = 'topup' | 'redeem' | 'adjust' | 'refund' | 'usage' | 'import';

export interface LedgerTable {
  id: Generated<string>;
  user_id: number;
  created_at: Timestamp;
  kind: LedgerKind;
  /** Signed: credits are positive, usage is negative. */
  amount: Money;
  balance_after: Money;
  /** Number of calls aggregated into a usage row. */
  calls: ColumnType<number, number | undefined, number>;
  note: string | null;
  actor: string | null;
}

export interface GroupsTable {
  name: string;
  /** Price multiplier in parts per million (1_000_000 = x1, 800_000 = x0.8). */
  multiplier_ppm: ColumnType<number, number | undefined, number>;
  description: ColumnType<string, string | undefined, string>;
}

export interface RedemptionCodesTable {
  id: Generated<number>;
  name: ColumnType<string, string | undefined, string>;
  /** sha256 hex of the code; the code itself is shown once at creation. */
  code_hash: string;
  code_hint: string;
  amount: Money;
  /** 1 unused, 2 disabled, 3 used (One API's values). */
  status: ColumnType<number, number | undefined, number>;
  created_by: string | null;
  created_at: Timestamp;
  redeemed_at: Timestamp | null;
  redeemed_by: number | null;
  oneapi_id: number | null;
}

export interface SettingsTable {
  key: string;
  value: Json<unknown>;
  updated_at: Timestamp;
}

/** One channel test (or background probe): what was sent and how the upstream answered. */
export interface ChannelTestsTable {
  id: Generated<string>;
  channel_id: number;
  model: string;
  /** chat | embeddings | images | speech | transcription */
  kind: string;
  stream: boolean;
  success: boolean;
  /** HTTP status, null when the connection failed. */
  status: number | null;
  latency_ms: number;
  upstream_model: string | null;
  error: string | null;
  created_at: Timestamp;
}

export interface Database {
  users: UsersTable;
  api_keys: ApiKeysTable;
  channels: ChannelsTable;
  channel_keys: ChannelKeysTable;
  prices: PricesTable;
  call_logs: CallLogsTable;
  call_bodies: CallBodiesTable;
  usage_hourly: UsageHourlyTable;
  usage_hourly_models: UsageHourlyModelsTable;
  ledger: LedgerTable;
  groups: GroupsTable;
  redemption_codes: RedemptionCodesTable;
  settings: SettingsTable;
  channel_tests: ChannelTestsTable;
  billing_leases: BillingLeasesTable;
  channel_prices: ChannelPricesTable;
  channel_cost_prices: ChannelPricesTable;
  rate_counters: RateCountersTable;
  sessions: SessionsTable;
  access_tokens: AccessTokensTable;
  audit_log: AuditLogTable;
  login_throttle: LoginThrottleTable;
  alerts: AlertsTable;
  oneapi_sync: OneapiSyncTable;
}

/** What the One API importer last saw of a source row (010_oneapi_sync). */
export interface OneapiSyncTable {
  kind: 'user' | 'token' | 'channel' | 'redemption';
  oneapi_id: number;
  quota: Money | null;
  used: Money | null;
  status: number | null;
  synced_at: Timestamp;
}

/** Console sign-ins (005_auth). Tokens are stored as sha256 hex only. */
export interface SessionsTable {
  id: Generated<string>;
  user_id: number;
  token_hash: string;
  prev_token_hash: string | null;
  created_at: Timestamp;
  rotated_at: Timestamp;
  expires_at: Timestamp;
  last_seen_at: Timestamp;
  ip: string | null;
  user_agent: string | null;
  revoked_at: Timestamp | null;
}

/** Personal access tokens (`sbp_…`) for scripts, acting with their owner's role. */
export interface AccessTokensTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  token_hash: string;
  token_hint: string;
  created_at: Timestamp;
  expires_at: Timestamp | null;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

/** One row per admin mutation; secrets in input/before/after are masked before insert. */
export interface AuditLogTable {
  id: Generated<string>;
  created_at: Timestamp;
  actor_kind: 'admin-key' | 'session' | 'pat' | 'anonymous';
  actor_user_id: number | null;
  actor_name: string;
  action: string;
  target: string | null;
  input: Json<unknown>;
  before: Json<unknown>;
  after: Json<unknown>;
  ok: boolean;
  error: string | null;
  ip: string | null;
}

export interface LoginThrottleTable {
  key: string;
  failures: number;
  window_start: Timestamp;
  locked_until: Timestamp | null;
}

/** A share of a balance (user) or budget (key) claimed by one instance (003_billing). */
export interface BillingLeasesTable {
  instance: string;
  kind: 'user' | 'key';
  subject_id: number;
  amount: Money;
  heartbeat_at: Timestamp;
}

/** A channel's own price for a model, same units as `prices` (003_billing). */
export interface ChannelPricesTable extends Omit<PricesTable, 'source'> {
  channel_id: number;
}

/** Sliding-window rate-limit counter buckets (003_billing). */
export interface RateCountersTable {
  subject: string;
  bucket: Money;
  used: Money;
}

export type User = Selectable<UsersTable>;
export type ApiKey = Selectable<ApiKeysTable>;
export type Channel = Selectable<ChannelsTable>;
export type ChannelKey = Selectable<ChannelKeysTable>;
export type Price = Selectable<PricesTable>;
export type CallLog = Selectable<CallLogsTable>;
export type NewCallLog = Insertable<CallLogsTable>;
export type LedgerRow = Selectable<LedgerTable>;
export type ChannelUpdate = Updateable<ChannelsTable>;

/** Operator alerts (007_alerts): console notices and the webhook outbox. */
export interface AlertsTable {
  /** int8, parsed as bigint. */
  id: Generated<bigint>;
  created_at: Generated<Date>;
  kind: string;
  severity: 'info' | 'warning' | 'critical';
  subject: string;
  message: string;
  data: Json<Record<string, unknown>>;
  dedupe: string | null;
  delivery: 'pending' | 'delivered' | 'failed' | 'off';
  attempts: Generated<number>;
  next_attempt_at: Generated<Date>;
  last_error: string | null;
  delivered_at: Date | null;
  acknowledged_at: Date | null;
}
