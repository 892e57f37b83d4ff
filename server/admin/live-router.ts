// Live events over tRPC subscriptions (WebSocket at /live, see ws.ts). Any signed-in
// principal may subscribe; a `user` sees only its own calls and balance.
import * as v from 'valibot';
import { ownerFilter, router, userProcedure } from './trpc.ts';
import { LIVE_EVENT_TYPES } from '../live/events.ts';
import { liveEvents } from '../live/subscription.ts';

export const LiveInput = v.optional(v.object({
  /** Only these event types; all when absent. */
  types: v.optional(v.array(v.picklist(LIVE_EVENT_TYPES))),
}), {});

export const liveRouter = router({
  events: userProcedure.input(LiveInput).subscription(async function* ({ ctx, input, signal }) {
    const types = input.types?.length ? new Set(input.types) : null;
    yield* liveEvents(ctx.gw.live, ownerFilter(ctx), types, signal);
  }),
});
