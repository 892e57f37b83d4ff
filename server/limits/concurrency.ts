// Requests one API key may have in flight at once (MAX_CONCURRENT_PER_KEY; 0 = no cap). In
// memory, per instance: a slot is taken at admission and given back when the call settles
// (for a stream, when it ends), so one key cannot hold every upstream connection.
import { RelayError } from '../relay/protocols/openai/errors.ts';

export class KeyConcurrency {
  private readonly inFlight = new Map<number, number>();

  constructor(readonly max: number) {}

  /** Takes a slot for `keyId`; returns its release (idempotent), or throws a 429 when the key is at its cap. */
  acquire(keyId: number): () => void {
    if (this.max <= 0) return noop;
    const n = this.inFlight.get(keyId) ?? 0;
    if (n >= this.max) {
      throw new RelayError(429, `This API key already has ${n} requests in flight (the limit is ${this.max}); retry when one finishes.`, 'rate_limit_error', 'too_many_concurrent_requests', { 'retry-after': '1' });
    }
    this.inFlight.set(keyId, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.inFlight.get(keyId) ?? 1) - 1;
      if (left <= 0) this.inFlight.delete(keyId);
      else this.inFlight.set(keyId, left);
    };
  }

  current(keyId: number): number {
    return this.inFlight.get(keyId) ?? 0;
  }
}

const noop = () => {};
