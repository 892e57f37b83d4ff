// The admin API: one router per domain, merged. Clients import `type AppRouter`.
import { alertsRouter } from './alerts.ts';
import { authRouter } from './auth-router.ts';
import { tokensRouter } from './tokens-router.ts';
import { auditRouter } from './audit.ts';
import { billingRouter } from './billing.ts';
import { channelsRouter } from './channels.ts';
import { importRouter } from './import.ts';
import { keysRouter } from './keys.ts';
import { liveRouter } from './live-router.ts';
import { logsRouter } from './logs.ts';
import { pricesRouter } from './prices.ts';
import { routingRouter } from './routing.ts';
import { statsRouter } from './stats.ts';
import { router } from './trpc.ts';
import { usersRouter } from './users.ts';

export const appRouter = router({
  channels: channelsRouter,
  keys: keysRouter,
  users: usersRouter,
  prices: pricesRouter,
  billing: billingRouter,
  logs: logsRouter,
  stats: statsRouter,
  live: liveRouter,
  routing: routingRouter,
  auth: authRouter,
  tokens: tokensRouter,
  audit: auditRouter,
  alerts: alertsRouter,
  import: importRouter,
});

export type AppRouter = typeof appRouter;
