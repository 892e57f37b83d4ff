// Loads wire transcripts from test/fixtures/<vendor>/ and replays them through converters.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChatChunk } from '../../server/relay/protocols/openai/types.ts';
import type { ChatStreamConverter, SseEvent } from '../../server/relay/providers/types.ts';

const ROOT = join(import.meta.dir, '..', 'fixtures');

export function fixtureText(vendor: string, name: string): string {
  return readFileSync(join(ROOT, vendor, name), 'utf8');
}

export function fixtureJson(vendor: string, name: string): unknown {
  return JSON.parse(fixtureText(vendor, name));
}

/** Minimal SSE parser (event/data fields, blank-line separated), as the relay core reads it. */
export function parseSse(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  for (const block of text.replace(/\r\n/g, '\n').split(/\n\n+/)) {
    let event: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (data.length) events.push(event ? { event, data: data.join('\n') } : { data: data.join('\n') });
  }
  return events;
}

export function replay(converter: ChatStreamConverter, events: SseEvent[]): ChatChunk[] {
  return [...events.flatMap((e) => converter.push(e)), ...converter.end()];
}

/** The chunks' deltas and finish reasons only: ids and timestamps are not the point. */
export function deltas(chunks: ChatChunk[]): unknown[] {
  return chunks.map((c) => (c.choices.length ? { ...c.choices[0]?.delta, finish: c.choices[0]?.finish_reason } : { usage: c.usage }));
}

/** Joins streamed text, reasoning and tool-call arguments the way an OpenAI client does. */
export function accumulate(chunks: ChatChunk[]) {
  let content = '';
  let reasoning = '';
  const tools: Array<{ id?: string; name: string; arguments: string }> = [];
  let finish: string | null = null;
  for (const c of chunks) {
    const choice = c.choices[0];
    if (!choice) continue;
    content += choice.delta.content ?? '';
    reasoning += choice.delta.reasoning_content ?? '';
    for (const t of choice.delta.tool_calls ?? []) {
      const slot = (tools[t.index] ??= { name: '', arguments: '' });
      if (t.id) slot.id = t.id;
      slot.name += t.function?.name ?? '';
      slot.arguments += t.function?.arguments ?? '';
    }
    if (choice.finish_reason) finish = choice.finish_reason;
  }
  return { content, reasoning, tools, finish };
}
