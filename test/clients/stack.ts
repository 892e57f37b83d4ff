// The stack every conformance run uses: a real gateway (PGlite) with one OpenAI-compatible channel in
// front of the agent upstream, serving the agents' model names through patterns, priced
// through price patterns, and a key with a balance.
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { type AgentUpstream, startAgentUpstream } from './agent-upstream.ts';

/** Every model name the agents send, as channel patterns (Claude Code's dated haiku included). */
export const MODEL_PATTERNS = ['claude-*', 'gpt-*', 'gemini-*', 'codex-*'];
/** The agents' default and named models, which the seeded table prices (exact names win over
 * patterns): set to the one test price so every call's cost is the same known sum. */
export const AGENT_MODELS = ['claude-opus-5-5', 'claude-haiku-5-5', 'claude-haiku-4-5', 'gpt-6.2-sol', 'gpt-5.5', 'gemini-3.1-pro-preview', 'gemini-3.5-flash-lite', 'gemini-2.5-flash'];
/** $2/M input, $8/M output, $0.50/M cache reads: whole nano-USD per token. */
export const PRICE = { input: 2_000n, output: 8_000n, cacheRead: 500n };

export interface Stack {
  g: TestGateway;
  upstream: AgentUpstream;
  key: string;
  keyId: number;
  close(): Promise<void>;
}

export async function startStack(opts: { seededPrices?: boolean } = {}): Promise<Stack> {
  const upstream = startAgentUpstream();
  const g = await startTestGateway('pglite');
  const username = `agents${Math.random().toString(36).slice(2, 7)}`;
  await g.admin.users.create.mutate({ username, balanceUsd: '50' });
  await g.admin.channels.create.mutate({ name: 'agent-upstream', type: 50, baseUrl: upstream.url, key: 'sk-upstream-agent', models: MODEL_PATTERNS });
  for (const model of opts.seededPrices ? [] : [...MODEL_PATTERNS, ...AGENT_MODELS]) {
    await g.admin.prices.set.mutate({ model, inputUsdPerM: '2', outputUsdPerM: '8', cacheReadUsdPerM: '0.5' });
  }
  const { key, id: keyId } = await g.admin.keys.create.mutate({ name: 'agents', user: username });
  return {
    g, upstream, key, keyId,
    async close() {
      await g.close();
      upstream.stop();
    },
  };
}

if (import.meta.main) {
  const s = await startStack();
  s.upstream.workdir = process.env.AGENT_WORKDIR ?? '/tmp';
  console.log(JSON.stringify({ url: s.g.url, key: s.key }));
  process.on('SIGTERM', () => void s.close().then(() => process.exit(0)));
}
