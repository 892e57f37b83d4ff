// The admin API: one router per domain, merged. Clients import `type AppRouter`.
import { channelsRouter } from './channels.ts';
import { keysRouter } from './keys.ts';
import { logsRouter } from './logs.ts';
import { pricesRouter } from './prices.ts';
import { router } from './trpc.ts';
import { usersRouter } from './users.ts';

export const appRouter = router({
  channels: channelsRouter,
  keys: keysRouter,
  users: usersRouter,
  prices: pricesRouter,
  logs: logsRouter,
});

export type AppRouter = typeof appRouter;
