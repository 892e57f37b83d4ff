// Configuration from the environment, validated once at start. A bad value is a clear
// message and exit code 1, never a half-started server.
import * as v from 'valibot';
import { DEFAULT_TRUSTED_PROXIES, parseTrustedProxies } from './security/client-address.ts';

const port = v.pipe(v.string(), v.transform(Number), v.integer('must be an integer'), v.minValue(0), v.maxValue(65535));
/** Optional string variable; empty counts as unset. */
const optional = (schema: v.GenericSchema<string, string>) =>
  v.optional(v.pipe(v.string(), v.trim(), v.transform((s): string | undefined => s || undefined), v.optional(schema)));

const EnvSchema = v.object({
  PORT: v.optional(port, '3000'),
  HOST: v.optional(v.string(), '0.0.0.0'),
  DATABASE_URL: optional(v.pipe(v.string(), v.regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://'))),
  /** Rate-limit counters in Redis instead of Postgres. */
  REDIS_URL: optional(v.pipe(v.string(), v.regex(/^rediss?:\/\//, 'must start with redis:// or rediss://'))),
  DATA_DIR: v.optional(v.string(), './data'),
  /** Without DATABASE_URL: a PostgreSQL server child process (default) or the in-process PGlite. */
  EMBEDDED_DB: optional(v.picklist(['postgres', 'pglite'], 'must be postgres or pglite')),
  SWITCHBOARD_SECRET: optional(v.pipe(v.string(), v.minLength(16, 'must be at least 16 characters'))),
  ADMIN_KEY: optional(v.pipe(v.string(), v.minLength(16, 'must be at least 16 characters'))),
  ADMIN_PASSWORD: optional(v.pipe(v.string(), v.minLength(8, 'must be at least 8 characters'))),
  LOG_LEVEL: v.optional(v.picklist(['debug', 'info', 'warn', 'error', 'silent']), 'info'),
  /** Largest request body accepted on the relay, in bytes. */
  MAX_BODY_BYTES: v.optional(v.pipe(v.string(), v.transform(Number), v.integer(), v.minValue(1024)), String(32 * 1024 * 1024)),
  /** Largest upstream answer buffered whole (JSON answers), in bytes. */
  MAX_UPSTREAM_BODY_BYTES: v.optional(v.pipe(v.string(), v.transform(Number), v.integer(), v.minValue(1024)), String(64 * 1024 * 1024)),
  /** Largest single server-sent event from an upstream stream, in bytes. */
  MAX_SSE_EVENT_BYTES: v.optional(v.pipe(v.string(), v.transform(Number), v.integer(), v.minValue(1024)), String(8 * 1024 * 1024)),
  /** Requests one API key may have in flight at once (0: no cap). */
  MAX_CONCURRENT_PER_KEY: v.optional(v.pipe(v.string(), v.transform(Number), v.integer(), v.minValue(0)), '0'),
  /** How long a client may take to send its request body, in milliseconds (0: no limit). */
  REQUEST_BODY_TIMEOUT_MS: v.optional(v.pipe(v.string(), v.transform(Number), v.integer(), v.minValue(0)), '60000'),
  /** Upstream timeouts in milliseconds. */
  UPSTREAM_CONNECT_TIMEOUT_MS: v.optional(v.pipe(v.string(), v.transform(Number), v.integer(), v.minValue(1)), '10000'),
  UPSTREAM_FIRST_BYTE_TIMEOUT_MS: v.optional(v.pipe(v.string(), v.transform(Number), v.integer(), v.minValue(1)), '120000'),
  UPSTREAM_IDLE_TIMEOUT_MS: v.optional(v.pipe(v.string(), v.transform(Number), v.integer(), v.minValue(1)), '60000'),
  /** How long in-flight requests may run after SIGTERM before the server closes them. */
  SHUTDOWN_GRACE_MS: v.optional(v.pipe(v.string(), v.transform(Number), v.integer(), v.minValue(0)), '15000'),
  /** Log/settlement batch flush interval. */
  FLUSH_INTERVAL_MS: v.optional(v.pipe(v.string(), v.transform(Number), v.integer(), v.minValue(5)), '50'),
  /** Deadline for one database statement (server statement_timeout and a client-side timer). */
  DB_QUERY_TIMEOUT_MS: v.optional(v.pipe(v.string(), v.transform(Number), v.integer(), v.minValue(100)), '15000'),
  /** Pooled database connections at most (default 10 with DATABASE_URL, 2 on the embedded server). */
  DB_POOL_SIZE: v.optional(v.pipe(v.string(), v.transform(Number), v.integer('must be an integer'), v.minValue(1), v.maxValue(1000))),
  /** A pooled connection idle this long is closed (0: never); the LISTEN and job-lock connections stay. */
  DB_POOL_IDLE_TIMEOUT_MS: v.optional(v.pipe(v.string(), v.transform(Number), v.integer('must be an integer'), v.minValue(0)), '5000'),
  /** Let several processes on one host listen on the same port (SO_REUSEPORT; each needs its own DATA_DIR and DATABASE_URL). */
  REUSE_PORT: v.optional(v.picklist(['0', '1', 'true', 'false', ''], 'must be 1 or 0'), '0'),
  /** Peers whose X-Forwarded-For / X-Real-IP are believed (comma-separated IPs or CIDRs). */
  TRUSTED_PROXIES: v.optional(v.pipe(v.string(), v.check((s) => {
    try {
      parseTrustedProxies(s);
      return true;
    } catch {
      return false;
    }
  }, 'must be a comma-separated list of IP addresses or CIDR ranges, e.g. 127.0.0.1/32,10.0.0.0/8')), DEFAULT_TRUSTED_PROXIES),
});

export type Config = {
  port: number;
  host: string;
  databaseUrl?: string;
  redisUrl?: string;
  dataDir: string;
  /** Set explicitly; unset: PostgreSQL server (an existing PGlite DATA_DIR is moved into it once), but PGlite in the single binary. */
  embeddedDb?: 'postgres' | 'pglite';
  secret?: string;
  adminKey?: string;
  adminPassword?: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  maxBodyBytes: number;
  maxUpstreamBodyBytes: number;
  maxSseEventBytes: number;
  maxConcurrentPerKey: number;
  requestBodyTimeoutMs: number;
  connectTimeoutMs: number;
  firstByteTimeoutMs: number;
  idleTimeoutMs: number;
  shutdownGraceMs: number;
  flushIntervalMs: number;
  dbQueryTimeoutMs: number;
  /** Unset: 10 with DATABASE_URL, 2 on the embedded server. */
  dbPoolSize?: number;
  dbPoolIdleTimeoutMs: number;
  reusePort: boolean;
  trustedProxies: string;
};

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const result = v.safeParse(EnvSchema, env);
  if (!result.success) {
    const lines = result.issues.map((issue) => `  ${v.getDotPath(issue) ?? '?'}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = result.output;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    dataDir: e.DATA_DIR,
    embeddedDb: e.EMBEDDED_DB as Config['embeddedDb'],
    secret: e.SWITCHBOARD_SECRET,
    adminKey: e.ADMIN_KEY,
    adminPassword: e.ADMIN_PASSWORD,
    logLevel: e.LOG_LEVEL,
    maxBodyBytes: e.MAX_BODY_BYTES,
    maxUpstreamBodyBytes: e.MAX_UPSTREAM_BODY_BYTES,
    maxSseEventBytes: e.MAX_SSE_EVENT_BYTES,
    maxConcurrentPerKey: e.MAX_CONCURRENT_PER_KEY,
    requestBodyTimeoutMs: e.REQUEST_BODY_TIMEOUT_MS,
    connectTimeoutMs: e.UPSTREAM_CONNECT_TIMEOUT_MS,
    firstByteTimeoutMs: e.UPSTREAM_FIRST_BYTE_TIMEOUT_MS,
    idleTimeoutMs: e.UPSTREAM_IDLE_TIMEOUT_MS,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    flushIntervalMs: e.FLUSH_INTERVAL_MS,
    dbQueryTimeoutMs: e.DB_QUERY_TIMEOUT_MS,
    dbPoolSize: e.DB_POOL_SIZE,
    dbPoolIdleTimeoutMs: e.DB_POOL_IDLE_TIMEOUT_MS,
    reusePort: e.REUSE_PORT === '1' || e.REUSE_PORT === 'true',
    trustedProxies: e.TRUSTED_PROXIES,
  };
}
