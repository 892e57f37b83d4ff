// What routing needs of the running gateway. The Gateway (server/context.ts) is passed
// down and satisfies this; routing never imports the context above it.
import type { Db } from '../../db/connect.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../state/store.ts';
import type { GatewayEvents } from './events.ts';
import type { RoutingState } from './state.ts';

export interface RoutingDeps {
  db: Db;
  store: Store;
  routing: RoutingState;
  events: GatewayEvents;
  log: Logger;
  /** Reload caches after a change (this instance now; others via NOTIFY). */
  invalidate(): Promise<void>;
}
