// Consume logs → call_logs, keyed by request_id `oneapi-log-<id>` so a re-run adds only new ones.
import type { LogPlan } from '../map/logs.ts';
import type { KeyPlan } from '../map/tokens.ts';
import type { Ok } from '../plan.ts';
import type { WriteContext } from './context.ts';

const CHUNK = 500;

export interface LogLinks {
  users: Map<number, number>;
  keys: Map<number, number>;
  channels: Map<number, number>;
  /** Token plans, to find a key by (user, token name) when the log has no token_id. */
  keyPlans: Ok<KeyPlan>[];
}

export async function writeLogs(w: WriteContext, plans: LogPlan[], links: LogLinks): Promise<void> {
  const { tx, rb } = w;
  if (!plans.length) return;
  const existing = new Set(
    (await tx.selectFrom('call_logs').select('request_id').where('request_id', 'like', 'oneapi-log-%').execute()).map((r) => r.request_id),
  );
  const byName = keysByName(links);
  const fresh = plans.filter((p) => {
    if (!existing.has(p.request_id)) return true;
    rb.unchanged('call_logs');
    return false;
  });
  for (let i = 0; i < fresh.length; i += CHUNK) {
    const chunk = fresh.slice(i, i + CHUNK);
    await tx
      .insertInto('call_logs')
      .values(
        chunk.map((p) => {
          const keyId = p.tokenOneapiId !== null ? links.keys.get(p.tokenOneapiId) : byName.get(`${p.userOneapiId}\u0000${p.tokenName}`);
          return {
            request_id: p.request_id,
            created_at: p.created_at,
            user_id: links.users.get(p.userOneapiId) ?? null,
            key_id: keyId ?? null,
            channel_id: p.channelOneapiId !== null ? (links.channels.get(p.channelOneapiId) ?? null) : null,
            attempts: [],
            endpoint: 'chat/completions',
            model: p.model,
            stream: p.stream,
            status: 200,
            prompt_tokens: p.prompt_tokens,
            completion_tokens: p.completion_tokens,
            cached_tokens: 0,
            cache_write_tokens: 0,
            reasoning_tokens: 0,
            estimated: false,
            cost: p.cost,
            latency_ms: p.latency_ms,
          };
        }),
      )
      .execute();
    for (const p of chunk) rb.created('call_logs', p.oneapiId, p.request_id);
    w.progress('write:call_logs', Math.min(i + CHUNK, fresh.length), fresh.length);
  }
}

/** (One API user id, token name) → key id; names used twice by one user are ambiguous and left out. */
function keysByName(links: LogLinks): Map<string, number> {
  const out = new Map<string, number>();
  const dup = new Set<string>();
  for (const k of links.keyPlans) {
    const id = links.keys.get(k.oneapiId);
    const name = `${k.value.ownerOneapiId}\u0000${k.value.row.name}`;
    if (out.has(name)) dup.add(name);
    if (id !== undefined) out.set(name, id);
  }
  for (const d of dup) out.delete(d);
  return out;
}
