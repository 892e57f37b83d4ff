// Circuit breakers per channel × model, in memory on each instance, separate from the
// persistent auto-disable (status 3). `breakerThreshold` consecutive failures of a channel
// for a call open its breaker at once, whatever the traffic. An open breaker cools for
// `breakerCooldownMs` × 2^(times it reopened in a row), capped at `breakerMaxCooldownMs`;
// then it is half-open: one trial (the background breaker probe, or a call that has no
// closed candidate left) may go; a success closes it, a failure opens it again for longer.
// Routing puts open and half-open candidates after every closed one, so they are skipped
// while a closed candidate remains and tried last rather than failing the call.
import type { RoutingSettings } from './settings.ts';

export type BreakerState = 'closed' | 'open' | 'half_open';

interface Breaker {
  /** Consecutive failures while closed. */
  failures: number;
  /** 0 while closed; else when it opened (ms). */
  openedAt: number;
  /** When the cooldown ends (half-open from then on). */
  retryAt: number;
  /** Times it opened in a row without closing: the backoff exponent. */
  opens: number;
  /** A trial is running (the probe, or a call tried it last). */
  trial: boolean;
  /** The "stays open" alert was sent for this opening. */
  alerted: boolean;
  lastError: string | null;
}

export interface BreakerView {
  channelId: number;
  model: string;
  state: BreakerState;
  /** Consecutive failures (while closed) or since it opened. */
  failures: number;
  openedAt: Date | null;
  /** When it half-opens (open) or half-opened (half-open); null when closed. */
  retryAt: Date | null;
  /** Times it opened in a row without closing. */
  opens: number;
  lastError: string | null;
}

/** What a recorded failure did: 'opened' the first time it trips, 'reopened' after a failed trial. */
export type FailureEffect = 'counted' | 'opened' | 'reopened';

export class Breakers {
  private readonly byChannel = new Map<number, Map<string, Breaker>>();
  /** Open or half-open breakers, for the hot path's fast exit when everything is healthy. */
  private openCount = 0;

  state(channelId: number, model: string, now = Date.now()): BreakerState {
    if (this.openCount === 0) return 'closed';
    const b = this.byChannel.get(channelId)?.get(model);
    if (!b || !b.openedAt) return 'closed';
    return now >= b.retryAt ? 'half_open' : 'open';
  }

  /** A channel served the model: its breaker closes and forgets its backoff. True when it was open. */
  success(channelId: number, model: string): boolean {
    const b = this.byChannel.get(channelId)?.get(model);
    if (!b) return false;
    const wasOpen = b.openedAt !== 0;
    if (wasOpen) this.openCount--;
    this.byChannel.get(channelId)!.delete(model);
    return wasOpen;
  }

  /** A channel failed the model for a call (or a probe). */
  failure(channelId: number, model: string, s: RoutingSettings, error: string | null, now = Date.now()): FailureEffect {
    const b = this.breaker(channelId, model);
    b.failures++;
    b.lastError = error?.slice(0, 300) ?? null;
    b.trial = false;
    if (b.openedAt) {
      // A trial (or a call that tried it last) failed: open again, backing off.
      if (now < b.retryAt) return 'counted';
      b.opens++;
      b.retryAt = now + cooldownOf(s, b.opens);
      return 'reopened';
    }
    if (b.failures < s.breakerThreshold) return 'counted';
    b.openedAt = now;
    b.opens = 1;
    b.retryAt = now + cooldownOf(s, 1);
    b.alerted = false;
    this.openCount++;
    return 'opened';
  }

  /** Claim the one trial of a half-open breaker (false: not half-open, or a trial is running). */
  claimTrial(channelId: number, model: string, now = Date.now()): boolean {
    const b = this.byChannel.get(channelId)?.get(model);
    if (!b || !b.openedAt || now < b.retryAt || b.trial) return false;
    b.trial = true;
    return true;
  }

  /** Give back a trial that ended without a verdict (e.g. the probe could not run). */
  releaseTrial(channelId: number, model: string): void {
    const b = this.byChannel.get(channelId)?.get(model);
    if (b) b.trial = false;
  }

  /** Half-open breakers with no trial running: what the breaker probe tests. */
  due(now = Date.now()): Array<{ channelId: number; model: string }> {
    const out: Array<{ channelId: number; model: string }> = [];
    if (this.openCount === 0) return out;
    for (const [channelId, models] of this.byChannel) {
      for (const [model, b] of models) if (b.openedAt && now >= b.retryAt && !b.trial) out.push({ channelId, model });
    }
    return out;
  }

  /** Breakers open for at least `ms` whose "stays open" alert is not sent yet (marks them sent). */
  takeLongOpen(ms: number, now = Date.now()): BreakerView[] {
    const out: BreakerView[] = [];
    if (this.openCount === 0) return out;
    for (const [channelId, models] of this.byChannel) {
      for (const [model, b] of models) {
        if (b.openedAt && !b.alerted && now - b.openedAt >= ms) {
          b.alerted = true;
          out.push(view(channelId, model, b, now));
        }
      }
    }
    return out;
  }

  /** Forget a channel's breakers (it was re-enabled, edited or deleted). */
  reset(channelId: number): void {
    const models = this.byChannel.get(channelId);
    if (!models) return;
    for (const b of models.values()) if (b.openedAt) this.openCount--;
    this.byChannel.delete(channelId);
  }

  /** Every breaker that is not plainly closed with no failures, for the admin API and /metrics. */
  list(now = Date.now()): BreakerView[] {
    const out: BreakerView[] = [];
    for (const [channelId, models] of this.byChannel) for (const [model, b] of models) out.push(view(channelId, model, b, now));
    return out;
  }

  private breaker(channelId: number, model: string): Breaker {
    let models = this.byChannel.get(channelId);
    if (!models) this.byChannel.set(channelId, (models = new Map()));
    let b = models.get(model);
    if (!b) models.set(model, (b = { failures: 0, openedAt: 0, retryAt: 0, opens: 0, trial: false, alerted: false, lastError: null }));
    return b;
  }
}

/** Cooldown of the n-th opening in a row: base × 2^(n−1), capped. */
export function cooldownOf(s: RoutingSettings, opens: number): number {
  return Math.min(s.breakerMaxCooldownMs, s.breakerCooldownMs * 2 ** Math.min(opens - 1, 30));
}

function view(channelId: number, model: string, b: Breaker, now: number): BreakerView {
  const state: BreakerState = !b.openedAt ? 'closed' : now >= b.retryAt ? 'half_open' : 'open';
  return {
    channelId, model, state, failures: b.failures, openedAt: b.openedAt ? new Date(b.openedAt) : null,
    retryAt: b.openedAt ? new Date(b.retryAt) : null, opens: b.opens, lastError: b.lastError,
  };
}
