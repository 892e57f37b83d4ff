// The in-process live event bus. Emitting is synchronous and O(subscribers): each
// subscriber only pushes into its own bounded queue, so a slow console never slows the
// relay. Producers check `active` first so nothing is built when nobody listens anywhere.
import { type LiveEvent, type LiveEventType, visibleTo } from './events.ts';

export interface Subscriber {
  /** null: sees everything (admins); a user id: only that user's events. */
  owner: number | null;
  types: ReadonlySet<LiveEventType> | null;
  deliver(e: LiveEvent): void;
}

export class LiveBus {
  private subs = new Set<Subscriber>();
  private remoteUntil = 0;
  /** Forwards this instance's events to the others (set by the fan-out). */
  remote: ((e: LiveEvent) => void) | null = null;
  /** Called when the local subscriber count goes 0 → 1 (the fan-out announces interest). */
  onFirstSubscriber: Array<() => void> = [];
  readonly counters = { delivered: 0, droppedEvents: 0, droppedSubscribers: 0 };

  subscribe(sub: Subscriber): () => void {
    this.subs.add(sub);
    if (this.subs.size === 1) for (const fn of this.onFirstSubscriber) fn();
    return () => { this.subs.delete(sub); };
  }

  get subscribers(): number {
    return this.subs.size;
  }

  /** Another instance has subscribers until `untilMs`. */
  remoteInterest(untilMs: number): void {
    this.remoteUntil = Math.max(this.remoteUntil, untilMs);
  }

  get remoteActive(): boolean {
    return this.remote !== null && Date.now() < this.remoteUntil;
  }

  /** Is anyone listening, here or on another instance? */
  get active(): boolean {
    return this.subs.size > 0 || this.remoteActive;
  }

  /** An event that happened on this instance: local subscribers and, if they listen, other instances. */
  emit(e: LiveEvent): void {
    this.deliver(e);
    if (this.remoteActive) this.remote!(e);
  }

  /** Local subscribers only (events relayed from other instances). */
  deliver(e: LiveEvent): void {
    for (const s of this.subs) {
      if ((s.types === null || s.types.has(e.type)) && visibleTo(s.owner, e)) {
        this.counters.delivered++;
        s.deliver(e);
      }
    }
  }
}
