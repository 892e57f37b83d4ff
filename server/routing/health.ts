// Health of each channel × model over a sliding window, in memory: ten time buckets of
// successes and errors. Stale buckets are reset as the window moves.
const BUCKETS = 10;

interface Window {
  bucketMs: number;
  epoch: Float64Array;
  ok: Uint32Array;
  err: Uint32Array;
}

export interface HealthStats {
  total: number;
  errors: number;
}

export class HealthWindows {
  private readonly byChannel = new Map<number, Map<string, Window>>();

  /** Count one outcome; returns the window's totals including it. */
  record(channelId: number, model: string, ok: boolean, windowMs: number, now = Date.now()): HealthStats {
    const w = this.window(channelId, model, windowMs);
    const epoch = Math.floor(now / w.bucketMs);
    const i = epoch % BUCKETS;
    if (w.epoch[i] !== epoch) {
      w.epoch[i] = epoch;
      w.ok[i] = 0;
      w.err[i] = 0;
    }
    if (ok) w.ok[i]!++;
    else w.err[i]!++;
    return sum(w, epoch);
  }

  stats(channelId: number, model: string, now = Date.now()): HealthStats {
    const w = this.byChannel.get(channelId)?.get(model);
    return w ? sum(w, Math.floor(now / w.bucketMs)) : { total: 0, errors: 0 };
  }

  /** Forget a channel's history (after a status change, it starts afresh). */
  reset(channelId: number): void {
    this.byChannel.delete(channelId);
  }

  private window(channelId: number, model: string, windowMs: number): Window {
    let models = this.byChannel.get(channelId);
    if (!models) this.byChannel.set(channelId, (models = new Map()));
    const bucketMs = Math.max(1, Math.ceil(windowMs / BUCKETS));
    let w = models.get(model);
    if (!w || w.bucketMs !== bucketMs) {
      w = { bucketMs, epoch: new Float64Array(BUCKETS).fill(-1), ok: new Uint32Array(BUCKETS), err: new Uint32Array(BUCKETS) };
      models.set(model, w);
    }
    return w;
  }
}

function sum(w: Window, epoch: number): HealthStats {
  let total = 0;
  let errors = 0;
  for (let i = 0; i < BUCKETS; i++) {
    if (w.epoch[i]! > epoch - BUCKETS) {
      total += w.ok[i]! + w.err[i]!;
      errors += w.err[i]!;
    }
  }
  return { total, errors };
}
