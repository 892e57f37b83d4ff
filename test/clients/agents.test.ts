// Conformance: the real coding agents, pinned and installed on demand (install.ts), each run
// non-interactively through a started gateway against a local upstream (agent-upstream.ts)
// that makes the agent call one of its own tools and then answer. Each run must finish with
// the upstream's answer, its tool must really have run (its result carries a marker from a
// file only the agent could read), and every call it made must be logged and billed exactly.
//   Claude Code  → Anthropic Messages  (/v1/messages)            default model, --model haiku
//   Codex CLI    → Responses           (/v1/responses)           default config, -m gpt-5.5
//   Gemini CLI   → Gemini              (/v1beta/models/…)        default model
//   opencode     → OpenAI chat         (/v1/chat/completions)    a custom provider
// All land on one OpenAI-compatible channel that serves the names through patterns.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FINAL_TEXT, TASK_FILE, USAGE } from './agent-upstream.ts';
import * as configs from './configs.ts';
import { AGENTS, type AgentPackage, ensureAgent } from './install.ts';
import { AGENT_MODELS, PRICE, type Stack, startStack } from './stack.ts';

const RUN_TIMEOUT_MS = 150_000;
// Input 120 of which 20 cached, output 15, at $2/M, $0.50/M cached, $8/M.
const CALL_COST = BigInt(USAGE.prompt_tokens - USAGE.prompt_tokens_details.cached_tokens) * PRICE.input
  + BigInt(USAGE.prompt_tokens_details.cached_tokens) * PRICE.cacheRead + BigInt(USAGE.completion_tokens) * PRICE.output;

interface Case {
  name: string;
  agent: AgentPackage;
  config: (c: configs.RunContext) => configs.AgentRun;
  endpoint: RegExp;
  model?: string;
  /** Model names the agent must have sent (besides any helper models). */
  expectModel?: RegExp;
}

const CASES: Case[] = [
  { name: 'Claude Code, default model', agent: AGENTS.claude, config: configs.claude, endpoint: /^messages$/ },
  { name: 'Claude Code, --model haiku', agent: AGENTS.claude, config: configs.claude, endpoint: /^messages$/, model: 'haiku', expectModel: /^claude-haiku/ },
  { name: 'Claude Code, --model claude-haiku-4-5-20251001 (dated name)', agent: AGENTS.claude, config: configs.claude, endpoint: /^messages$/, model: 'claude-haiku-4-5-20251001', expectModel: /^claude-haiku-4-5-20251001$/ },
  { name: 'Codex CLI, default config', agent: AGENTS.codex, config: configs.codex, endpoint: /^responses$/ },
  { name: 'Codex CLI, -m gpt-5.5', agent: AGENTS.codex, config: configs.codex, endpoint: /^responses$/, model: 'gpt-5.5', expectModel: /^gpt-5\.5$/ },
  { name: 'Gemini CLI, default model', agent: AGENTS.gemini, config: configs.gemini, endpoint: /^(stream)?[gG]enerateContent$/ },
  { name: 'Gemini CLI, -m gemini-2.5-flash', agent: AGENTS.gemini, config: configs.gemini, endpoint: /^(stream)?[gG]enerateContent$/, model: 'gemini-2.5-flash', expectModel: /^gemini-2\.5-flash$/ },
  { name: 'opencode, custom OpenAI-compatible provider', agent: AGENTS.opencode, config: configs.opencode, endpoint: /^chat\/completions$/, expectModel: /^gpt-5\.5$/ },
];

describe('coding agents through Switchboard', () => {
  let stack: Stack;
  const results: string[] = [];

  beforeAll(async () => {
    // Installs (first run only, about 30 s each) proceed in parallel while the first agents run.
    for (const a of Object.values(AGENTS)) void ensureAgent(a);
    stack = await startStack();
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
    if (results.length) console.log(`agents conformance:\n  ${results.join('\n  ')}`);
  });

  test('the seeded price table prices every model the agents send by default (dated names too)', async () => {
    const fresh = await startStack({ seededPrices: true });
    try {
      const unpriced = [...AGENT_MODELS, 'claude-haiku-4-5-20251001'].filter((m) => !fresh.g.gw.store.price(m));
      expect(unpriced).toEqual([]);
    } finally {
      await fresh.close();
    }
  }, 60_000);

  for (const c of CASES) {
    test(c.name, async () => {
      const bin = await ensureAgent(c.agent);
      const home = mkdtempSync(join(tmpdir(), 'sb-agent-home-'));
      const workdir = mkdtempSync(join(tmpdir(), 'sb-agent-work-'));
      const marker = `MARKER-${crypto.randomUUID()}`;
      writeFileSync(join(workdir, TASK_FILE), `${marker}\n`);
      stack.upstream.workdir = workdir;
      const firstCall = stack.upstream.calls.length;
      const startedAt = new Date();
      try {
        const run = c.config({ url: stack.g.url, key: stack.key, home, workdir, prompt: `Read ${TASK_FILE} and tell me what it says.`, model: c.model });
        const t0 = performance.now();
        const proc = Bun.spawn([bin, ...run.args], {
          cwd: workdir,
          stdin: 'ignore',
          stdout: 'pipe',
          stderr: 'pipe',
          // Only what the agent needs: no credentials or settings of this machine leak in.
          env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, TMPDIR: tmpdir(), LANG: 'C.UTF-8', TERM: 'dumb', NO_COLOR: '1', CI: '1', ...run.env },
        });
        const timer = setTimeout(() => proc.kill(), RUN_TIMEOUT_MS);
        const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
        clearTimeout(timer);
        const seconds = ((performance.now() - t0) / 1000).toFixed(1);
        const context = `exit ${code} after ${seconds}s\nstdout: ${stdout.slice(-2000)}\nstderr: ${stderr.slice(-2000)}`;
        expect(code, context).toBe(0);
        expect(stdout, context).toContain(FINAL_TEXT);

        // The agent called its tool, the tool ran (its result holds the marker), and it answered.
        const calls = stack.upstream.calls.slice(firstCall);
        expect(calls.some((k) => k.tool !== null), context).toBe(true);
        const toolResults = calls.filter((k) => k.sawToolResult).flatMap((k) => (k.body.messages as Array<{ role: string; content?: unknown }>).filter((m) => m.role === 'tool'));
        expect(JSON.stringify(toolResults), context).toContain(marker);
        if (c.expectModel) expect(calls.some((k) => c.expectModel!.test(k.model)), JSON.stringify(calls.map((k) => k.model))).toBe(true);

        // Every call is logged under the name the agent sent, at the upstream's usage and its exact price.
        await stack.g.flush();
        const logs = await stack.g.gw.db.db.selectFrom('call_logs').selectAll()
          .where('key_id', '=', stack.keyId).where('created_at', '>=', startedAt).where('endpoint', '!=', 'messages/count_tokens')
          .orderBy('created_at').execute();
        const summary = logs.map((l) => `${l.endpoint} ${l.model} ${l.status} ${l.error_message ?? ''}`).join('\n');
        expect(logs.length, summary).toBe(calls.length);
        for (const log of logs) {
          expect(log.endpoint).toMatch(c.endpoint);
          expect({ status: log.status, error: log.error_message }).toEqual({ status: 200, error: null });
          expect({ prompt: log.prompt_tokens, completion: log.completion_tokens, cached: log.cached_tokens, estimated: log.estimated })
            .toEqual({ prompt: USAGE.prompt_tokens, completion: USAGE.completion_tokens, cached: USAGE.prompt_tokens_details.cached_tokens, estimated: false });
          expect(BigInt(log.cost)).toBe(CALL_COST);
        }
        expect(logs.map((l) => l.model).sort()).toEqual(calls.map((k) => k.model).sort());
        results.push(`${c.name}: pass (${calls.length} calls, ${seconds}s, models ${[...new Set(calls.map((k) => k.model))].join(', ')})`);
      } catch (e) {
        results.push(`${c.name}: FAIL`);
        throw e;
      } finally {
        rmSync(home, { recursive: true, force: true });
        rmSync(workdir, { recursive: true, force: true });
      }
    }, RUN_TIMEOUT_MS + INSTALL_BUDGET_MS);
  }
});

const INSTALL_BUDGET_MS = 300_000;
