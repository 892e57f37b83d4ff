// Routing's runtime state, kept across store reloads (it is not part of the snapshot).
import { AffinityTable } from './affinity.ts';
import { Breakers } from './breaker.ts';
import { TestRuns } from './test-runs.ts';
import { HealthWindows } from './health.ts';
import { KeyStates } from './key-states.ts';
import { LatencyTracker } from './latency.ts';

export class RoutingState {
  constructor(
    /** Cache affinity pins per conversation (server/routing/affinity.ts). */
    readonly affinity = new AffinityTable(),
  ) {}

  readonly keys = new KeyStates();
  readonly health = new HealthWindows();
  /** Decayed TTFB per channel × model, for latency ranking (server/routing/latency.ts). */
  readonly latency = new LatencyTracker();
  /** Circuit breakers per channel × model (server/routing/breaker.ts). */
  readonly breakers = new Breakers();
  /** The model whose errors tripped a channel's health, probed to re-enable it. */
  readonly trippedModel = new Map<number, string>();
  /** Channel test runs in progress or recently finished, for progress queries. */
  readonly testRuns = new TestRuns();
}
