// Everything a request handler needs, built once at start (server/gateway.ts) and passed
// down explicitly, so several gateways can run in one process (tests do). Module-level
// state is limited to caches that are the same for every gateway: the provider registry,
// vendor token caches (Vertex, Zhipu), joined URLs and the request-id counter. Layers
// below this one (docs/architecture.md) never import it: they declare the part of the
// Gateway they use (e.g. routing/deps.ts) and are handed the whole of it.
import type { Db } from '../db/connect.ts';
import type { Auth } from './auth/index.ts';
import type { Accounts } from './billing/accounts.ts';
import type { Config } from './config.ts';
import type { Limiter } from './limits/index.ts';
import type { Logger } from './logger.ts';
import type { GatewayEvents } from './routing/events.ts';
import type { RoutingState } from './routing/state.ts';
import type { LiveBus } from './live/bus.ts';
import type { LogSettingsCache } from './logs/settings.ts';
import type { LogWriter } from './logs/writer.ts';
import type { SecretBox } from './secrets/crypto.ts';
import type { ClientAddress } from './security/client-address.ts';
import type { SecretScrubber } from './state/secret-scrubber.ts';
import type { Shutdown } from './lifecycle/shutdown.ts';
import type { KeyConcurrency } from './limits/concurrency.ts';
import type { Store } from './state/store.ts';
import type { Mutex } from './util/mutex.ts';

export interface Gateway {
  config: Config;
  db: Db;
  store: Store;
  accounts: Accounts;
  /** Per-key and per-user RPM/TPM over shared sliding windows. */
  limiter: Limiter;
  writer: LogWriter;
  log: Logger;
  box: SecretBox;
  /** Admin API authentication: sessions, personal access tokens, login throttling. */
  auth: Auth;
  /** Routing runtime state: key cooldowns, health windows, channel test runs. */
  routing: RoutingState;
  /** Channel status changes, key disables and test results, for live subscribers. */
  events: GatewayEvents;
  /** Live events for console subscribers, fanned out across instances (server/live). */
  live: LiveBus;
  /** Call-log settings: retention and body capture (server/logs/settings.ts). */
  logSettings: LogSettingsCache;
  /** Serialises balance refreshes with settlement flushes. */
  dbLock: Mutex;
  /** The client address of a request (TRUSTED_PROXIES); the only place X-Forwarded-For is read. */
  clientAddress: ClientAddress;
  /** Redacts upstream keys and the gateway's secrets from upstream-sourced text (server/security). */
  secrets: SecretScrubber;
  /** In-flight requests per API key (MAX_CONCURRENT_PER_KEY). */
  keyConcurrency: KeyConcurrency;
  /** SIGTERM (draining) and the end of SHUTDOWN_GRACE_MS (expired), as signals. */
  shutdown: Shutdown;
  /** Requests and streams still running; shutdown waits for them. */
  inflight: Set<Promise<unknown>>;
  /** Reload caches after an admin change (this instance now; others via NOTIFY). */
  invalidate(): Promise<void>;
}
