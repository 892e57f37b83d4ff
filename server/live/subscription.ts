// One subscriber's event stream: a bounded queue between the bus (which must never wait)
// and the socket. When the consumer falls behind, new events are dropped and counted, and
// the subscriber is told how many it missed.
import type { LiveBus } from './bus.ts';
import type { Lagged, LiveEvent, LiveEventType } from './events.ts';

export const MAX_QUEUE = 1000;

export async function* liveEvents(
  bus: LiveBus,
  owner: number | null,
  types: ReadonlySet<LiveEventType> | null,
  signal: AbortSignal | undefined,
): AsyncGenerator<LiveEvent | Lagged> {
  const queue: LiveEvent[] = [];
  let dropped = 0;
  let wake: (() => void) | null = null;
  const rouse = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  const off = bus.subscribe({
    owner,
    types,
    deliver(e) {
      if (queue.length >= MAX_QUEUE) {
        dropped++;
        bus.counters.droppedEvents++;
      } else {
        // A user's own call: without the operator's upstream cost price.
        queue.push(owner !== null && e.type === 'call.finished' && e.log.upstream_cost != null ? { ...e, log: { ...e.log, upstream_cost: null } } : e);
      }
      rouse();
    },
  });
  signal?.addEventListener('abort', rouse);
  try {
    while (!signal?.aborted) {
      if (queue.length === 0 && dropped === 0) await new Promise<void>((resolve) => { wake = resolve; });
      if (dropped > 0) {
        const n = dropped;
        dropped = 0;
        yield { type: 'lagged', dropped: n };
      }
      // One event per turn, so a fresh drop is reported before the backlog behind it.
      const e = queue.shift();
      if (e) yield e;
    }
  } finally {
    off();
    signal?.removeEventListener('abort', rouse);
  }
}
