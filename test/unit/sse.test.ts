import { describe, expect, test } from 'bun:test';
import { PassthroughScanner } from '../../server/relay/passthrough-stream.ts';
import { SseParser } from '../../server/relay/sse.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();
const chunk = (o: unknown) => `data: ${JSON.stringify(o)}\n\n`;
const content = (t: string) => chunk({ id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: t }, finish_reason: null }] });
const usage = chunk({ id: 'c', object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 9, completion_tokens: 2, prompt_tokens_details: { cached_tokens: 4 }, completion_tokens_details: { reasoning_tokens: 1 } } });
const stream = content('Hel') + content('lo') + usage + 'data: [DONE]\n\n';

/** Feed a stream through the scanner split at every possible byte offset pair. */
function run(text: string, wantsUsage: boolean, cuts: number[]) {
  const s = new PassthroughScanner(wantsUsage);
  const bytes = enc.encode(text);
  let out = '';
  let prev = 0;
  for (const c of [...cuts, bytes.length]) {
    const o = s.push(bytes.slice(prev, c));
    if (o) out += dec.decode(o);
    prev = c;
  }
  const tail = s.end();
  if (tail) out += dec.decode(tail);
  return { out, usage: s.usage, text: s.deliveredText() };
}

describe('pass-through SSE scanner', () => {
  test('drops the usage-only chunk the client did not ask for, keeps every other byte', () => {
    const { out, usage: u } = run(stream, false, []);
    expect(out).toBe(content('Hel') + content('lo') + 'data: [DONE]\n\n');
    expect(u).toEqual({ input: 5, output: 2, cacheRead: 4, cacheWrite: 0, cacheWrite1h: 0, reasoning: 1 });
  });

  test('forwards the usage chunk untouched when the client asked', () => {
    expect(run(stream, true, []).out).toBe(stream);
  });

  test('any split of the byte stream gives the same output', () => {
    const n = enc.encode(stream).length;
    for (let a = 1; a < n; a += 7) {
      for (const b of [a + 1, a + 13, a + 50]) {
        if (b >= n) continue;
        const r = run(stream, false, [a, b]);
        expect(r.out).toBe(content('Hel') + content('lo') + 'data: [DONE]\n\n');
        expect(r.usage?.output).toBe(2);
      }
    }
  });

  test('CRLF framing and a missing final blank line', () => {
    const crlf = stream.replaceAll('\n', '\r\n').replace(/\r\n\r\n$/, '');
    const r = run(crlf, true, [10]);
    expect(r.out).toBe(crlf);
    expect(r.usage?.input).toBe(5);
  });

  test('delivered text is recovered for estimation when no usage arrives', () => {
    const r = run(content('Hel') + content('lo') + 'data: [DONE]\n\n', false, [5]);
    expect(r.usage).toBeNull();
    expect(r.text).toBe('Hello');
  });
});

describe('native SSE parser', () => {
  test('event names, multi-line data and split chunks', () => {
    const p = new SseParser();
    const events = [
      ...p.push(enc.encode('event: message_start\ndata: {"a"')),
      ...p.push(enc.encode(':1}\n\nevent: ping\ndata: {}\n\ndata: line1\ndata: line2\n\n')),
      ...p.push(enc.encode('data: tail')),
      ...p.end(),
    ];
    expect(events).toEqual([
      { event: 'message_start', data: '{"a":1}' },
      { event: 'ping', data: '{}' },
      { event: undefined, data: 'line1\nline2' },
      { event: undefined, data: 'tail' },
    ]);
  });
});
