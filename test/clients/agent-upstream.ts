// A local upstream in OpenAI's chat completions wire format that drives a coding agent
// through one tool-using task: when the conversation has no tool result yet it calls one
// of the agent's own tools (the first one it finds from TOOL_PLAN), and once the tool
// result is back it answers with FINAL_TEXT. Any other request (titles, summaries,
// classifiers) gets a short text answer. Every answer reports fixed usage, so the
// gateway's bill for the run can be checked to the nano-USD.
// JSON and SSE (with the usage chunk only when stream_options.include_usage asks, as
// OpenAI does) per https://platform.openai.com/docs/api-reference/chat.

export const FINAL_TEXT = 'CONFORMANCE-OK: the tool ran and the task is done.';
export const USAGE = { prompt_tokens: 120, completion_tokens: 15, total_tokens: 135, prompt_tokens_details: { cached_tokens: 20 } };

/** The file each task reads; the test writes a marker into it and finds it in the tool result. */
export const TASK_FILE = 'notes.txt';

type Props = Record<string, unknown>;
/** One read-only tool per agent (no approval needed in non-interactive runs), with its arguments. */
const TOOL_PLAN: Array<{ name: string; args(dir: string, props: Props): Record<string, unknown> }> = [
  // Claude Code, Gemini CLI and opencode: their file-reading tool, with whichever path field it declares.
  ...['Read', 'read_file', 'read'].map((name) => ({
    name,
    args: (dir: string, props: Props) => {
      const field = ['file_path', 'absolute_path', 'filePath', 'path'].find((f) => f in props) ?? 'file_path';
      return { [field]: `${dir}/${TASK_FILE}` };
    },
  })),
  // Codex CLI with a GPT-5 model: its exec_command function tool.
  { name: 'exec_command', args: (dir: string) => ({ cmd: `cat ${dir}/${TASK_FILE}` }) },
  // Codex CLI: its freeform `exec` tool (JavaScript calling nested tools), sent as custom input.
  { name: 'exec', args: (dir: string) => ({ input: `const out = await tools.exec_command({ cmd: "cat ${dir}/${TASK_FILE}" });\ntext(out);` }) },
];

export interface AgentCall {
  model: string;
  stream: boolean;
  /** The tool the answer called, or null for a text answer. */
  tool: string | null;
  /** Whether the request carried a tool result (the second step of the task). */
  sawToolResult: boolean;
  body: any;
}

export interface AgentUpstream {
  url: string;
  /** The agent's working directory for the current run (tool paths are absolute). */
  workdir: string;
  calls: AgentCall[];
  stop(): void;
}

interface Msg { role: string; content?: unknown; tool_calls?: unknown[] }

export function startAgentUpstream(): AgentUpstream {
  const calls: AgentCall[] = [];
  let seq = 0;
  const state = { workdir: '/tmp' };
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(req) {
      const url = new URL(req.url);
      if (req.method === 'GET' && url.pathname.endsWith('/models')) {
        return Response.json({ object: 'list', data: [] });
      }
      if (!url.pathname.endsWith('/chat/completions')) return Response.json({ error: { message: `no route ${url.pathname}`, type: 'invalid_request_error' } }, { status: 404 });
      const body = await req.json() as { model: string; stream?: boolean; messages: Msg[]; tools?: Array<{ function: { name: string; parameters?: { properties?: Props } } }>; stream_options?: { include_usage?: boolean } };
      const messages = body.messages ?? [];
      const sawToolResult = messages.some((m) => m.role === 'tool');
      const declared = new Map((body.tools ?? []).map((t) => [t.function.name, t.function.parameters?.properties ?? {}]));
      const names = new Set(declared.keys());
      const plan = !sawToolResult ? TOOL_PLAN.find((t) => names.has(t.name)) : undefined;
      const pick = plan ? { name: plan.name, args: plan.args(state.workdir, declared.get(plan.name) ?? {}) } : null;
      const id = `chatcmpl-agent${++seq}`;
      const stream = body.stream === true;
      calls.push({ model: body.model, stream, tool: pick?.name ?? null, sawToolResult, body });
      if (process.env.AGENT_UPSTREAM_DEBUG) console.error(JSON.stringify({ model: body.model, stream, tools: [...names], roles: messages.map((m) => m.role), pick: pick?.name ?? null }));
      // Structured output (Gemini CLI's model router asks for it): a minimal object valid for the schema.
      const schema = (body as { response_format?: { type?: string; json_schema?: { schema?: unknown } } }).response_format;
      const text = schema?.type === 'json_schema' ? JSON.stringify(sample(schema.json_schema?.schema)) : schema?.type === 'json_object' ? '{}' : FINAL_TEXT;
      const message = pick
        ? { role: 'assistant', content: null, tool_calls: [{ id: `call_${seq}`, type: 'function', function: { name: pick.name, arguments: JSON.stringify(pick.args) } }] }
        : { role: 'assistant', content: text };
      const finish = pick ? 'tool_calls' : 'stop';
      const created = Math.floor(Date.now() / 1000);
      if (!stream) {
        return Response.json({ id, object: 'chat.completion', created, model: body.model, choices: [{ index: 0, message, finish_reason: finish, logprobs: null }], usage: USAGE });
      }
      const chunk = (delta: unknown, finish_reason: string | null) => `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: body.model, choices: [{ index: 0, delta, finish_reason }] })}\n\n`;
      let sse = chunk({ role: 'assistant', content: '' }, null);
      if (pick) {
        const args = JSON.stringify(pick.args);
        sse += chunk({ tool_calls: [{ index: 0, id: `call_${seq}`, type: 'function', function: { name: pick.name, arguments: '' } }] }, null);
        sse += chunk({ tool_calls: [{ index: 0, function: { arguments: args.slice(0, 5) } }] }, null);
        sse += chunk({ tool_calls: [{ index: 0, function: { arguments: args.slice(5) } }] }, null);
      } else {
        const words = text.split(/(?<= )/);
        for (const w of words) sse += chunk({ content: w }, null);
      }
      sse += chunk({}, finish);
      if (body.stream_options?.include_usage) sse += `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: body.model, choices: [], usage: USAGE })}\n\n`;
      sse += 'data: [DONE]\n\n';
      return new Response(sse, { headers: { 'content-type': 'text/event-stream' } });
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    calls,
    get workdir() { return state.workdir; },
    set workdir(dir: string) { state.workdir = dir; },
    stop: () => server.stop(true),
  };
}

/** The smallest value a JSON Schema accepts (required properties, first enum value, lower bounds). */
export function sample(schema: unknown): unknown {
  const s = (schema ?? {}) as { type?: string | string[]; enum?: unknown[]; properties?: Record<string, unknown>; required?: string[]; items?: unknown; minimum?: number; anyOf?: unknown[] };
  if (s.enum?.length) return s.enum[0];
  if (s.anyOf?.length) return sample(s.anyOf[0]);
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const name of s.required ?? Object.keys(s.properties ?? {})) out[name] = sample(s.properties?.[name]);
      return out;
    }
    case 'array': return [];
    case 'number': case 'integer': return s.minimum ?? 0;
    case 'boolean': return false;
    case 'null': return null;
    default: return 'x';
  }
}
