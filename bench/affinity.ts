// `bun run bench:affinity`: simulated coding-agent conversations (20 turns each, the prompt
// growing every turn: a long system prompt and tools, then the whole history) through one
// Switchboard over two channels of two keys each. The mock upstreams keep a prompt cache per
// key and report `usage.prompt_tokens_details.cached_tokens` as OpenAI does (caching from
// 1,024 tokens, in 128-token steps; test/mocks/caching-upstream.ts), and charge cached input
// at a tenth of the input price. Half the agents send `prompt_cache_key`, half send nothing
// (the gateway hashes the stable prefix). Three runs: affinity off, on, and on with the
// pinned-to channel failing from turn 10 (every call must still succeed; pins break and
// re-pin). Reports the cached share of input tokens and the upstream cost of each run.
//   BENCH_CONVERSATIONS=16 BENCH_TURNS=20 bun run bench:affinity
import { startCachingUpstream } from '../test/mocks/caching-upstream.ts';
import { admin, freshDatabase, startGatewayProcess } from './kit.ts';

const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 16);
const TURNS = Number(process.env.BENCH_TURNS ?? 20);
const FAIL_AT_TURN = Math.floor(TURNS / 2);
const MODEL = 'agent-model';

const SYSTEM = 'You are an autonomous coding agent working in a git repository. Follow the repository conventions, run the tests, never guess. '.repeat(90);
const TOOLS = ['read_file', 'write_file', 'run_shell', 'search_code', 'list_dir', 'apply_patch'].map((name) => ({
  type: 'function', function: { name, description: `Tool ${name}: `.padEnd(400, 'describes its arguments and effects in detail. '), parameters: { type: 'object', properties: { path: { type: 'string' } } } },
}));

interface RunResult { name: string; calls: number; failed: number; prompt: number; cached: number; costUsd: number; loggedNano: bigint; chargedNano: number; affinity: Record<string, number> }

async function main() {
  const upstreams = [await startCachingUpstream(), await startCachingUpstream()];
  const db = await freshDatabase();
  const gw = await startGatewayProcess({ databaseUrl: db.url, port: 20_000 + Math.floor(Math.random() * 20_000) });
  const sb = admin(gw.url);
  try {
    await sb.prices.set.mutate({ model: MODEL, inputUsdPerM: '2.5', outputUsdPerM: '10', cacheReadUsdPerM: '0.25' });
    for (const [i, u] of upstreams.entries()) {
      const { id } = await sb.channels.create.mutate({ name: `upstream-${'AB'[i]}`, type: 1, baseUrl: u.url, key: `sk-${i}-one\nsk-${i}-two`, models: [MODEL] });
      // The mocks' own prices as the channels' cost prices: the gateway's logged upstream cost must match what they charged.
      await sb.prices.cost.set.mutate({ channelId: id, model: '*', inputUsdPerM: '2.5', outputUsdPerM: '10', cacheReadUsdPerM: '0.25' });
    }
    await sb.users.create.mutate({ username: 'agents', balanceUsd: '1000000' });
    const { key } = await sb.keys.create.mutate({ name: 'agents', user: 'agents' });

    const run = async (name: string, opts: { affinity: boolean; failPinned?: boolean }): Promise<RunResult> => {
      for (const u of upstreams) u.reset();
      await sb.routing.setSettings.mutate({ affinityTtlMs: opts.affinity ? 1_800_000 : 0 });
      const [last] = await db.sql<Array<{ max: string | null }>>`SELECT max(id)::text AS max FROM call_logs`;
      const max = last?.max ?? '0';
      const tag = `${name}-${Date.now()}`;
      let failed = 0;
      let calls = 0;
      let reachedHalf = 0;
      let release!: () => void;
      const half = new Promise<void>((r) => { release = r; });
      const agent = async (n: number) => {
        const messages: Array<Record<string, unknown>> = [{ role: 'system', content: SYSTEM }, { role: 'user', content: `[${tag} #${n}] Fix the failing test in src/module-${n}.ts and explain the change.` }];
        for (let turn = 1; turn <= TURNS; turn++) {
          if (turn === FAIL_AT_TURN + 1 && opts.failPinned) {
            // Every agent is mid-conversation when the fault starts.
            if (++reachedHalf === CONVERSATIONS) release();
            await half;
          }
          const body: Record<string, unknown> = { model: MODEL, messages, tools: TOOLS };
          if (n % 2 === 0) body.prompt_cache_key = `${tag}-conv-${n}`;
          const res = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
          calls++;
          if (res.status !== 200) {
            failed++;
            await res.arrayBuffer();
            continue;
          }
          const answer = (await res.json()) as { choices: Array<{ message: { content: string } }> };
          messages.push({ role: 'assistant', content: answer.choices[0]!.message.content },
            { role: 'user', content: `Tool output of step ${turn}:\n${`line ${turn} of the build log with a test name and a stack frame\n`.repeat(24)}` });
        }
      };
      const agents = Array.from({ length: CONVERSATIONS }, (_, n) => agent(n));
      if (opts.failPinned) {
        await half;
        // Fail the upstream that carries the most conversations.
        const busy = upstreams.reduce((a, b) => ([...a.calls.values()].reduce((x, y) => x + y, 0) >= [...b.calls.values()].reduce((x, y) => x + y, 0) ? a : b));
        busy.failing = true;
      }
      await Promise.all(agents);
      // The mocks' totals now: the breaker probe's test calls after recovery are not the agents'.
      const prompt = upstreams.reduce((s, u) => s + u.promptTokens, 0);
      const cached = upstreams.reduce((s, u) => s + u.cachedTokens, 0);
      const chargedNano = upstreams.reduce((s, u) => s + u.charged, 0);
      for (const u of upstreams) u.failing = false;
      await Bun.sleep(1500);
      const rows = await db.sql<Array<{ affinity: string | null; n: number }>>`SELECT affinity, count(*)::int AS n FROM call_logs WHERE id > ${max}::bigint GROUP BY affinity`;
      const [logged] = await db.sql<Array<{ up: string }>>`SELECT coalesce(sum(upstream_cost), 0)::text AS up FROM call_logs WHERE id > ${max}::bigint`;
      return {
        name, calls, failed,
        prompt, cached, costUsd: chargedNano / 1e9, chargedNano,
        loggedNano: BigInt(logged?.up ?? '0'),
        affinity: Object.fromEntries(rows.map((r) => [r.affinity ?? 'none', r.n])),
      };
    };

    const results = [
      await run('affinity off', { affinity: false }),
      await run('affinity on', { affinity: true }),
      await run('affinity on, pinned channel fails at turn ' + (FAIL_AT_TURN + 1), { affinity: true, failPinned: true }),
    ];
    console.log(`\nSwitchboard cache affinity — ${new Date().toISOString()}: ${CONVERSATIONS} agent conversations × ${TURNS} turns, 2 channels × 2 keys, per-key prompt cache (OpenAI rules), cached input at 1/10 price\n`);
    for (const r of results) {
      console.log(`${r.name.padEnd(46)} calls ${r.calls}, failed ${r.failed}; input ${r.prompt.toLocaleString('en')} tokens, cached ${(100 * r.cached / r.prompt).toFixed(1)}%; upstream cost $${r.costUsd.toFixed(4)} (logged by the gateway: ${r.loggedNano === BigInt(r.chargedNano) ? 'equal' : `$${Number(r.loggedNano) / 1e9} MISMATCH`}); affinity ${JSON.stringify(r.affinity)}`);
    }
    const [off, on] = results as [RunResult, RunResult, RunResult];
    console.log(`\naffinity saves ${(100 * (1 - on.costUsd / off.costUsd)).toFixed(1)}% of the upstream cost`);
    const ok = on.cached / on.prompt >= 0.9 && results.every((r) => r.failed === 0);
    console.log(ok ? 'goal met: ≥ 90% cached with affinity on, no failed call' : 'GOAL MISSED');
    if (!ok) process.exitCode = 1;
  } finally {
    await gw.stop();
    await db.drop();
    await Promise.all(upstreams.map((u) => u.stop()));
  }
}

await main();
