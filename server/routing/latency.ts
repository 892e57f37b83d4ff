// Time to first byte per channel × model, as a time-decayed average, for latency-ranked
// routing (docs/routing.md, "Ranking inside a tier"). Each successful attempt adds its
// upstream time to response headers (the first byte of a stream); a sample's weight grows
// with the time since the previous one (α = 1 − e^(−Δt/τ), at least 0.2), so after a quiet
// spell the newest sample counts most and a channel that slowed down is noticed quickly.
// In memory on each instance.

/** Decay constant of the average, ms. */
const TAU_MS = 30_000;
const MIN_ALPHA = 0.2;

interface Avg {
  ms: number;
  at: number;
}

export class LatencyTracker {
  private readonly avg = new Map<string, Avg>();

  record(channelId: number, model: string, ms: number, now = Date.now()): void {
    const k = `${channelId}\u0000${model}`;
    const prev = this.avg.get(k);
    if (!prev) {
      this.avg.set(k, { ms, at: now });
      return;
    }
    const alpha = Math.max(MIN_ALPHA, 1 - Math.exp(-(now - prev.at) / TAU_MS));
    prev.ms += alpha * (ms - prev.ms);
    prev.at = now;
  }

  /** The decayed average TTFB in ms; undefined while the channel has no sample for the model. */
  ttfb(channelId: number, model: string): number | undefined {
    return this.avg.get(`${channelId}\u0000${model}`)?.ms;
  }

  /** Every average, for the admin view. */
  list(): Array<{ channelId: number; model: string; ttfbMs: number; at: number }> {
    return [...this.avg].map(([k, a]) => {
      const [c, m] = k.split('\u0000');
      return { channelId: Number(c), model: m!, ttfbMs: Math.round(a.ms), at: a.at };
    });
  }
}
