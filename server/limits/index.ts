// The limiter for a gateway: counters in Redis when REDIS_URL is set, else in Postgres.
// Redis keys are namespaced by this installation's id (kept in `settings`), so several
// installations, or test databases, can share one Redis without sharing windows.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { saveSettingIfAbsent } from '../billing/settings.ts';
import type { Logger } from '../logger.ts';
import { randomToken } from '../secrets/crypto.ts';
import { Limiter } from './limiter.ts';
import { PostgresCounter } from './postgres-counter.ts';
import { RedisCounter } from './redis-counter.ts';

export async function createLimiter(db: Kysely<Database>, redisUrl: string | undefined, log: Logger): Promise<Limiter> {
  if (!redisUrl) return new Limiter(new PostgresCounter(db), log);
  const installation = await saveSettingIfAbsent(db, 'installation_id', randomToken(16));
  return new Limiter(new RedisCounter(redisUrl, `sb:rl:${installation}:`), log);
}

export { Limiter, type TokenHold } from './limiter.ts';
