// Upstreams do not always answer in the shape asked for: some vendors and proxies answer
// `stream: true` with one JSON completion, others stream SSE to a non-stream request.
// These pure functions turn one shape into the other, so every client still gets the
// shape it asked for and the call is billed by the usage the upstream reported.
import type { ChatChunk, ChatResponse, ToolCall } from './protocols/openai/types.ts';

/** The upstream answered with JSON (not an event stream). */
export function answeredJson(res: Response): boolean {
  const type = res.headers.get('content-type') ?? '';
  return type.includes('json') && !type.includes('event-stream');
}

/** The upstream answered with an event stream. */
export function answeredSse(res: Response): boolean {
  return (res.headers.get('content-type') ?? '').includes('text/event-stream');
}

/** A whole completion as the chunks a stream would have carried: content, then the finish, then usage. */
export function chunksOfResponse(res: ChatResponse): ChatChunk[] {
  const base = { id: res.id, object: 'chat.completion.chunk' as const, created: res.created, model: res.model };
  const out: ChatChunk[] = [];
  for (const choice of res.choices) {
    const m = choice.message;
    const delta: ChatChunk['choices'][number]['delta'] = { role: 'assistant' };
    if (m.reasoning_content) delta.reasoning_content = m.reasoning_content;
    if (typeof m.content === 'string') delta.content = m.content;
    else if (Array.isArray(m.content)) delta.content = m.content.map((p) => (p.type === 'text' ? String((p as { text?: unknown }).text ?? '') : '')).join('');
    if (m.tool_calls?.length) {
      delta.tool_calls = m.tool_calls.map((t, i) => ({ index: i, id: t.id, type: 'function' as const, function: { name: t.function.name, arguments: t.function.arguments } }));
    }
    out.push({ ...base, choices: [{ index: choice.index, delta, finish_reason: null }] });
    out.push({ ...base, choices: [{ index: choice.index, delta: {}, finish_reason: choice.finish_reason ?? 'stop' }] });
  }
  if (res.usage) out.push({ ...base, choices: [], usage: res.usage });
  return out;
}

/** Streamed chunks folded into one completion, as the non-streamed endpoint would have answered. */
export function aggregateChunks(chunks: ChatChunk[]): ChatResponse {
  const first = chunks[0];
  const choices = new Map<number, { content: string; reasoning: string; finish: string | null; calls: Map<number, ToolCall> }>();
  let usage: ChatResponse['usage'];
  for (const c of chunks) {
    if (c.usage) usage = c.usage;
    for (const ch of c.choices ?? []) {
      let acc = choices.get(ch.index);
      if (!acc) choices.set(ch.index, (acc = { content: '', reasoning: '', finish: null, calls: new Map() }));
      const d = ch.delta ?? {};
      if (typeof d.content === 'string') acc.content += d.content;
      if (typeof d.reasoning_content === 'string') acc.reasoning += d.reasoning_content;
      for (const t of d.tool_calls ?? []) {
        const call = acc.calls.get(t.index);
        if (!call) acc.calls.set(t.index, { id: t.id ?? `call_${t.index}`, type: 'function', function: { name: t.function?.name ?? '', arguments: t.function?.arguments ?? '' } });
        else call.function.arguments += t.function?.arguments ?? '';
      }
      if (ch.finish_reason) acc.finish = ch.finish_reason;
    }
  }
  const out: ChatResponse = {
    id: first?.id ?? `chatcmpl-${crypto.randomUUID().replaceAll('-', '')}`,
    object: 'chat.completion',
    created: first?.created ?? Math.floor(Date.now() / 1000),
    model: first?.model ?? '',
    choices: [...choices.entries()].sort(([a], [b]) => a - b).map(([index, acc]) => {
      const message: ChatResponse['choices'][number]['message'] = { role: 'assistant', content: acc.content || (acc.calls.size ? null : '') };
      if (acc.reasoning) message.reasoning_content = acc.reasoning;
      if (acc.calls.size) message.tool_calls = [...acc.calls.values()];
      return { index, message, finish_reason: acc.finish ?? 'stop' };
    }),
  };
  if (usage) out.usage = usage;
  return out;
}
