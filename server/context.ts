// Everything a request handler needs, built once at start and passed down explicitly:
// no module-level state, so several gateways can run in one process (tests do).
import type { Db } from '../db/connect.ts';
import type { Accounts } from './billing/accounts.ts';
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';
import type { LogWriter } from './logs/writer.ts';
import type { SecretBox } from './secrets/crypto.ts';
import type { Store } from './state/store.ts';
import type { Mutex } from './util/mutex.ts';

export interface Gateway {
  config: Config;
  db: Db;
  store: Store;
  accounts: Accounts;
  writer: LogWriter;
  log: Logger;
  box: SecretBox;
  /** Serialises balance refreshes with settlement flushes. */
  dbLock: Mutex;
  /** Requests and streams still running; shutdown waits for them. */
  inflight: Set<Promise<unknown>>;
  /** Reload caches after an admin change (this instance now; others via NOTIFY). */
  invalidate(): Promise<void>;
}
