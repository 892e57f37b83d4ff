import { assertUpstreamAllowed } from '../security/guarded-fetch.ts';
import { TRPCError } from '@trpc/server';
import { channelTypes, providerFor } from '../relay/providers/registry.ts';
import { refreshBalance, supportsBalance } from '../channels/balance.ts';
import { ChannelBatch, ChannelCopy, ChannelId, ChannelStatusInput, ChannelUpdate, FetchModels, KeyStatusInput, RunId, TestHistory, TestMany, TestOne } from '../channels/inputs.ts';
import { refreshEveryBalance } from '../channels/jobs.ts';
import { batchChannels, copyChannel, setKeyStatus, setStatusByAdmin, splitKeys, updateChannel } from '../channels/manage.ts';
import { runTests, testModelOf } from '../channels/test-runner.ts';
import { fetchUpstreamModels } from '../channels/upstream-models.ts';
import { channelHealth, channelUsage, lastTests } from '../channels/activity.ts';
import { createChannel } from '../channels/create.ts';
import type { Gateway } from '../context.ts';
import { pickKey } from '../relay/select-channel.ts';
import type { ChannelEntry } from '../state/types.ts';
import { ChannelCreate } from './schemas.ts';
import { adminProcedure, mutate, router } from './trpc.ts';

export const channelsRouter = router({
  create: adminProcedure.input(ChannelCreate).mutation(({ ctx, input }) => mutate(ctx, () => createChannel(ctx.gw, input))),

  list: adminProcedure.query(async ({ ctx }) => {
    const { db } = ctx.gw.db;
    const [channels, keys, tests, usage] = await Promise.all([
      db.selectFrom('channels').selectAll().orderBy('id').execute(),
      db.selectFrom('channel_keys').select(['id', 'channel_id', 'key_hint', 'status', 'status_reason', 'cooldown_until']).orderBy('position').execute(),
      lastTests(db),
      channelUsage(db),
    ]);
    return channels.map((c) => ({
      id: c.id, name: c.name, type: c.type, provider: providerFor(c.type).id, baseUrl: c.base_url, models: c.models,
      mapping: c.model_mapping, priority: c.priority, weight: c.weight, groups: c.groups, status: c.status,
      statusReason: c.status_reason, used: c.used, balance: c.balance,
      balanceAmount: c.balance_amount, balanceCurrency: c.balance_currency, balanceUpdatedAt: c.balance_updated_at, balanceError: c.balance_error,
      testAt: c.test_at, testLatencyMs: c.test_latency_ms, lastTest: tests.get(c.id) ?? null,
      /** Calls, failures and cost over the last USAGE_DAYS days. */
      usage: usage.get(c.id) ?? { calls: 0, errors: 0, cost: 0n },
      /** Outcomes in the routing health window (server/routing/health.ts). */
      health: channelHealth(ctx.gw, c.id, c.models),
      config: c.config, headers: c.headers, paramOverride: c.param_override, systemPrompt: c.system_prompt,
      // Upstream keys are never returned: only their hints.
      keys: keys.filter((k) => k.channel_id === c.id).map(({ channel_id: _c, ...k }) => k),
    }));
  }),

  /** Vendor presets for the console's channel form: every type id with its defaults and models. */
  catalog: adminProcedure.query(() => channelTypes().map(({ type, provider: p, aliasOf }) => ({
    type, id: p.id, name: p.name, defaultBaseUrl: p.defaultBaseUrl, keyFormat: p.keyFormat ?? null,
    configFields: p.configFields ?? [], models: p.models, aliasOf: aliasOf ?? null,
  }))),

  update: adminProcedure.input(ChannelUpdate).mutation(({ ctx, input }) => updateChannel(ctx.gw, input)),

  /** Enable, or disable by hand (never re-enabled automatically). */
  setStatus: adminProcedure.input(ChannelStatusInput).mutation(async ({ ctx, input }) => {
    if (!(await setStatusByAdmin(ctx.gw, input.id, input.enabled, input.reason))) throw new TRPCError({ code: 'NOT_FOUND', message: `Channel ${input.id} does not exist.` });
    return { id: input.id, status: input.enabled ? 1 : 2 };
  }),

  setKeyStatus: adminProcedure.input(KeyStatusInput).mutation(async ({ ctx, input }) => {
    await setKeyStatus(ctx.gw, input.keyId, input.enabled);
    return { keyId: input.keyId, status: input.enabled ? 1 : 2 };
  }),

  batch: adminProcedure.input(ChannelBatch).mutation(({ ctx, input }) => batchChannels(ctx.gw, input)),

  copy: adminProcedure.input(ChannelCopy).mutation(({ ctx, input }) => copyChannel(ctx.gw, input)),

  /** The upstream's model list, for an existing channel or for one being configured. */
  fetchModels: adminProcedure.input(FetchModels).mutation(async ({ ctx, input }) => {
    let models: string[];
    try {
      if ('id' in input) {
        const ch = channelOr404(ctx.gw, input.id);
        const key = pickKey(ch, Number.POSITIVE_INFINITY);
        models = await fetchUpstreamModels(ch.provider, { id: ch.id, type: ch.type, baseUrl: ch.baseUrl, key: key?.key ?? '', config: ch.config }, ch.headers);
      } else {
        const provider = providerFor(input.type);
        const baseUrl = (input.baseUrl || provider.defaultBaseUrl).replace(/\/+$/, '');
        await assertUpstreamAllowed(baseUrl);
        models = await fetchUpstreamModels(provider, { id: 0, type: input.type, baseUrl, key: splitKeys(input.key)[0] ?? '', config: input.config });
      }
    } catch (e) {
      const typed = 'key' in input ? splitKeys(input.key) : [];
      throw new TRPCError({ code: 'BAD_GATEWAY', message: ctx.gw.secrets.scrub(`Cannot list the upstream's models: ${(e as Error).message}`, typed) });
    }
    return { models };
  }),

  /** Test one model of a channel now; the result is recorded. */
  test: adminProcedure.input(TestOne).mutation(async ({ ctx, input }) => {
    const ch = channelOr404(ctx.gw, input.id);
    const model = input.model ?? testModelOf(ch);
    if (!model) throw new TRPCError({ code: 'BAD_REQUEST', message: `Channel ${input.id} has no model to test.` });
    const [result] = await runTests(ctx.gw, [{ channel: ch, model }], { stream: input.stream, prompt: input.prompt });
    return result!;
  }),

  /** Test several channels (all by default), each with its test model or every model, with bounded concurrency. */
  testMany: adminProcedure.input(TestMany).mutation(async ({ ctx, input }) => {
    const channels = input.ids ? input.ids.map((id) => channelOr404(ctx.gw, id)) : [...ctx.gw.store.channels()];
    const jobs = channels.flatMap((channel) => {
      const models = input.allModels ? [...channel.models] : [testModelOf(channel)].filter((m): m is string => !!m);
      return models.map((model) => ({ channel, model }));
    });
    const run = ctx.gw.routing.testRuns.start(jobs.length);
    const done = runTests(ctx.gw, jobs, { stream: input.stream, prompt: input.prompt, concurrency: input.concurrency, run })
      .catch((e) => ctx.gw.log.error('channel test run failed', { run: run.id, error: e }));
    if (input.wait) await done;
    return { runId: run.id, total: run.total, done: run.done, passed: run.passed, failed: run.failed, finished: run.finishedAt !== null };
  }),

  /** Progress and results of a `testMany` run. */
  testRun: adminProcedure.input(RunId).query(({ ctx, input }) => {
    const run = ctx.gw.routing.testRuns.get(input.runId);
    if (!run) throw new TRPCError({ code: 'NOT_FOUND', message: `No test run ${input.runId} (runs are kept for an hour).` });
    return run;
  }),

  /** Recorded test results of a channel, newest first. */
  tests: adminProcedure.input(TestHistory).query(({ ctx, input }) =>
    ctx.gw.db.db.selectFrom('channel_tests').selectAll().where('channel_id', '=', input.id).orderBy('id', 'desc').limit(input.limit).execute()),

  /** Query and store the upstream balance of one channel. */
  balance: adminProcedure.input(ChannelId).mutation(async ({ ctx, input }) => {
    const ch = channelOr404(ctx.gw, input.id);
    if (!supportsBalance(ch)) throw new TRPCError({ code: 'BAD_REQUEST', message: `Channel type ${ch.type} (${ch.provider.id}) has no balance endpoint.` });
    return refreshBalance(ctx.gw, ch);
  }),

  /** Query and store the balance of every channel whose vendor offers one. */
  balances: adminProcedure.mutation(async ({ ctx }) => {
    await refreshEveryBalance(ctx.gw);
    return { ok: true };
  }),
});

function channelOr404(gw: Gateway, id: number): ChannelEntry {
  const ch = gw.store.channel(id);
  if (!ch) throw new TRPCError({ code: 'NOT_FOUND', message: `Channel ${id} does not exist.` });
  return ch;
}
