// Creating a channel with its key pool: the admin router's `channels.create` and the AI
// Proxy–compatible `POST /api/channel/` both come here.
import { TRPCError } from '@trpc/server';
import type * as v from 'valibot';
import type { ChannelCreate } from './inputs.ts';
import type { Gateway } from '../context.ts';
import { providerFor } from '../relay/providers/registry.ts';
import { hintOf } from '../secrets/crypto.ts';
import { assertUpstreamAllowed } from '../security/guarded-fetch.ts';
import { splitKeys } from './manage.ts';

export interface ChannelCreateExtra {
  /** Enabled (1, default) or disabled by hand (2). */
  status?: 1 | 2;
  /** AI Proxy's type id when created through /api/channel/ (011_aiproxy). */
  aiproxyType?: number | null;
}

/** Insert the channel and its keys in one transaction; the caller invalidates caches (mutate()). */
export async function createChannel(gw: Gateway, input: v.InferOutput<typeof ChannelCreate>, extra: ChannelCreateExtra = {}): Promise<{ id: number; keys: number }> {
  const { db } = gw.db;
  const provider = providerFor(input.type);
  if (!input.baseUrl && !provider.defaultBaseUrl) {
    throw new TRPCError({ code: 'BAD_REQUEST', message: `baseUrl is required for channel type ${input.type}` });
  }
  await assertUpstreamAllowed(input.baseUrl || provider.defaultBaseUrl).catch((e: Error) => {
    throw new TRPCError({ code: 'BAD_REQUEST', message: `baseUrl: ${e.message}` });
  });
  const keys = splitKeys(input.key);
  if (!keys.length) {
    // A keyless vendor (a local Ollama) gets one empty key, so the pool is never empty and no auth header is sent.
    if (provider.keyFormat !== '(none)') throw new TRPCError({ code: 'BAD_REQUEST', message: 'at least one key is required', cause: { issues: [{ type: 'non_empty', message: 'at least one key is required', path: ['key'] }] } });
    keys.push('');
  }
  return db.transaction().execute(async (tx) => {
    const ch = await tx.insertInto('channels').values({
      name: input.name, type: input.type, base_url: input.baseUrl, models: input.models,
      model_mapping: input.mapping, priority: input.priority, weight: input.weight,
      groups: input.groups, config: input.config, headers: {}, param_override: {},
      status: extra.status ?? 1, status_reason: extra.status === 2 ? 'disabled by an admin' : null,
      system_prompt: null, balance: null, balance_updated_at: null, test_at: null,
      test_latency_ms: null, oneapi_id: null, aiproxy_type: extra.aiproxyType ?? null,
    }).returning('id').executeTakeFirstOrThrow();
    await tx.insertInto('channel_keys').values(keys.map((k, i) => ({
      channel_id: ch.id, key_enc: gw.box.seal(k), key_hint: hintOf(k), position: i, status_reason: null, cooldown_until: null,
    }))).execute();
    return { id: ch.id, keys: keys.length };
  });
}
