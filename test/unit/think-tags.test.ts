import { describe, expect, test } from 'bun:test';
import { splitResponse, ThinkSplitter } from '../../server/relay/think-tags.ts';

const TEXT = '<think>Compare 9.11 and 9.8.</think>\n\n9.8 is larger.';

function run(pieces: string[]) {
  const s = new ThinkSplitter();
  let reasoning = '';
  let content = '';
  for (const p of [...pieces.map((x) => s.push(x)), s.end()]) {
    reasoning += p.reasoning;
    content += p.content;
  }
  return { reasoning, content };
}

describe('<think> splitting', () => {
  test('whole text', () => {
    expect(run([TEXT])).toEqual({ reasoning: 'Compare 9.11 and 9.8.', content: '9.8 is larger.' });
  });

  test('cut at every position, and one character at a time', () => {
    for (let i = 0; i <= TEXT.length; i++) expect(run([TEXT.slice(0, i), TEXT.slice(i)])).toEqual({ reasoning: 'Compare 9.11 and 9.8.', content: '9.8 is larger.' });
    expect(run([...TEXT])).toEqual({ reasoning: 'Compare 9.11 and 9.8.', content: '9.8 is larger.' });
  });

  test('content without tags, a tag later in the text, and an unterminated think', () => {
    expect(run(['Hello', ' <think>x</think>'])).toEqual({ reasoning: '', content: 'Hello <think>x</think>' });
    expect(run(['<', 'b>bold'])).toEqual({ reasoning: '', content: '<b>bold' });
    expect(run(['<think>still thinking </th'])).toEqual({ reasoning: 'still thinking </th', content: '' });
  });

  test('non-streamed completions', () => {
    const res = splitResponse({ id: 'c', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: TEXT }, finish_reason: 'stop' }] });
    expect(res.choices[0]?.message).toEqual({ role: 'assistant', content: '9.8 is larger.', reasoning_content: 'Compare 9.11 and 9.8.' });
  });
});
