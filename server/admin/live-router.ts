// Live events over tRPC subscriptions (WebSocket at /live, see ws.ts). Any signed-in
// principal may subscribe; a `user` sees only its own calls and balance.
import { TRPCError } from '@trpc/server';
import * as v from 'valibot';
import { ownerFilter, router, userProcedure } from './trpc.ts';
import { LIVE_EVENT_TYPES } from '../live/events.ts';
import { liveEvents } from '../live/subscription.ts';

export const LiveInput = v.optional(v.object({
  /** Only these event types; all when absent. */
  types: v.optional(v.array(v.picklist(LIVE_EVENT_TYPES))),
}), {});

/** Live subscriptions one socket may hold at once (the console needs a handful). */
export const MAX_SUBSCRIPTIONS_PER_SOCKET = 32;

// A WebSocket's context is created once, from its upgrade request: count open subscriptions
// per request object (middlewares hand procedures copies of the context, never the request).
const open = new WeakMap<Request, number>();

export const liveRouter = router({
  // Checked before the iterator is returned, so a refused subscription never starts.
  events: userProcedure.input(LiveInput).subscription(({ ctx, input, signal }) => {
    const count = open.get(ctx.req) ?? 0;
    if (count >= MAX_SUBSCRIPTIONS_PER_SOCKET) {
      throw new TRPCError({ code: 'TOO_MANY_REQUESTS', message: `At most ${MAX_SUBSCRIPTIONS_PER_SOCKET} live subscriptions per connection; stop one first.` });
    }
    open.set(ctx.req, count + 1);
    const types = input.types?.length ? new Set(input.types) : null;
    return (async function* () {
      try {
        yield* liveEvents(ctx.gw.live, ownerFilter(ctx), types, signal);
      } finally {
        open.set(ctx.req, (open.get(ctx.req) ?? 1) - 1);
      }
    })();
  }),
});
