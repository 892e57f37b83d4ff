// Responses tools on a chat-only channel. Chat knows only flat function tools, so:
// - `namespace` tools (Codex groups its tools as `functions`, `clock`, …) are flattened: each
//   child becomes a function under its own name (or `namespace__name` when two collide), and
//   calls map back to items carrying `namespace`.
// - `custom` (freeform) tools (Codex's `exec`, `apply_patch`) become a function with one string
//   argument `input`; calls come back as `custom_tool_call` items with that string.
// - Tools may also arrive in `additional_tools` input items (Codex's "responses lite").
// - Hosted tools (web_search, file_search, code_interpreter, …) run inside OpenAI; a chat
//   channel cannot run them, so they are left out (listed in `hosted`) for the core to drop or refuse.
import type { ChatRequest } from '../openai/types.ts';
import type { ResponsesRequest } from './schema.ts';

type ChatTool = NonNullable<ChatRequest['tools']>[number];

export interface ToolRef {
  kind: 'function' | 'custom';
  name: string;
  namespace?: string;
}

export interface ToolPlan {
  tools: ChatTool[];
  /** Chat function name → the Responses tool it stands for. */
  byChatName: Map<string, ToolRef>;
  /** Chat function name for a Responses (namespace, name). */
  chatName(name: string, namespace?: string): string;
  /** Hosted tool types the request asked for. */
  hosted: string[];
}

interface RawTool {
  type?: string;
  name?: string;
  description?: string | null;
  parameters?: Record<string, unknown> | null;
  strict?: boolean | null;
  format?: { type?: string; syntax?: string; definition?: string } | null;
  tools?: RawTool[];
}

const plans = new WeakMap<object, ToolPlan>();

/** The tool plan of a request (computed once per request object). */
export function toolPlan(req: ResponsesRequest): ToolPlan {
  let plan = plans.get(req);
  if (!plan) plans.set(req, (plan = buildPlan(req)));
  return plan;
}

function collect(req: ResponsesRequest): RawTool[] {
  const all: RawTool[] = [...((req.tools ?? []) as RawTool[])];
  if (Array.isArray(req.input)) {
    for (const item of req.input) {
      if (item.type === 'additional_tools' && Array.isArray((item as { tools?: unknown }).tools)) all.push(...((item as unknown as { tools: RawTool[] }).tools));
    }
  }
  return all;
}

function buildPlan(req: ResponsesRequest): ToolPlan {
  const entries: Array<{ ref: ToolRef; tool: RawTool }> = [];
  const hosted: string[] = [];
  for (const tool of collect(req)) {
    if (tool.type === 'namespace') {
      for (const child of tool.tools ?? []) {
        if (child.type === 'function' || child.type === 'custom') entries.push({ ref: { kind: child.type, name: child.name ?? '', namespace: tool.name }, tool: child });
        else if (child.type) hosted.push(child.type);
      }
    } else if (tool.type === 'function' || tool.type === 'custom') {
      entries.push({ ref: { kind: tool.type, name: tool.name ?? '' }, tool });
    } else if (tool.type) {
      hosted.push(tool.type);
    }
  }
  const counts = new Map<string, number>();
  for (const e of entries) counts.set(e.ref.name, (counts.get(e.ref.name) ?? 0) + 1);
  const byChatName = new Map<string, ToolRef>();
  const byRef = new Map<string, string>();
  const tools: ChatTool[] = [];
  for (const { ref, tool } of entries) {
    if (!ref.name) continue;
    let name = (counts.get(ref.name) ?? 0) > 1 && ref.namespace ? `${ref.namespace}__${ref.name}` : ref.name;
    name = name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
    if (byChatName.has(name)) continue;
    byChatName.set(name, ref);
    byRef.set(`${ref.namespace ?? ''}\u0000${ref.name}`, name);
    tools.push(ref.kind === 'custom' ? customAsFunction(name, tool) : functionTool(name, tool));
  }
  return {
    tools,
    byChatName,
    hosted: [...new Set(hosted)],
    chatName: (name, namespace) => byRef.get(`${namespace ?? ''}\u0000${name}`) ?? byRef.get(`\u0000${name}`) ?? name,
  };
}

function functionTool(name: string, t: RawTool): ChatTool {
  const fn: ChatTool['function'] = { name, parameters: t.parameters ?? { type: 'object', properties: {} } };
  if (t.description) fn.description = t.description;
  if (t.strict != null) fn.strict = t.strict;
  return { type: 'function', function: fn };
}

/** A freeform tool as a function taking its raw text in `input`; a grammar, if any, is described to the model. */
function customAsFunction(name: string, t: RawTool): ChatTool {
  let description = t.description ?? '';
  const f = t.format;
  if (f?.type === 'grammar' && f.definition) description += `\n\nThe input must match this ${f.syntax ?? ''} grammar:\n${f.definition}`;
  return {
    type: 'function',
    function: {
      name,
      description: `${description}\n\nPass the tool's raw input text as the string argument "input".`.trim(),
      parameters: { type: 'object', properties: { input: { type: 'string', description: 'The raw input text for this tool.' } }, required: ['input'], additionalProperties: false },
    },
  };
}

/** A custom tool's raw input from the function arguments the chat model produced. */
export function customInput(args: string): string {
  try {
    const parsed = JSON.parse(args) as unknown;
    if (parsed && typeof parsed === 'object' && typeof (parsed as { input?: unknown }).input === 'string') return (parsed as { input: string }).input;
  } catch {}
  return args;
}

/** The Responses output item for a chat tool call. */
export function callItem(plan: ToolPlan, id: string, callId: string, chatName: string, args: string, status: 'in_progress' | 'completed'): Record<string, unknown> {
  const ref = plan.byChatName.get(chatName);
  const ns = ref?.namespace ? { namespace: ref.namespace } : {};
  if (ref?.kind === 'custom') return { id, type: 'custom_tool_call', status, call_id: callId, name: ref.name, ...ns, input: status === 'completed' ? customInput(args) : '' };
  return { id, type: 'function_call', status, call_id: callId, name: ref?.name ?? chatName, ...ns, arguments: args };
}
