// The crash journal's encoding: one line per settled call, read back exactly (money as
// bigint, the start time as a Date), torn last lines skipped, lines of the older
// object-shaped format still replayed, and group-committed appends on disk before their
// promise resolves.
import { describe, expect, test } from 'bun:test';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NewCallLog } from '../../db/schema.ts';
import { Journal } from '../../server/logs/journal.ts';
import { decodeSettled, encodeLog } from '../../server/logs/call-record.ts';

const log = (over: Partial<NewCallLog> = {}): NewCallLog => ({
  request_id: 'req_journal_1', created_at: new Date('2026-11-25T01:02:03.456Z'), user_id: 7, key_id: 8, channel_id: 9,
  attempts: [{ channel_id: 9, key_id: 3, status: 200, ms: 12 }], endpoint: 'chat/completions', model: 'gpt-4o-mini',
  upstream_model: 'gpt-4o-mini-2024', stream: true, status: 200, error_type: null, error_message: null, prompt_tokens: 20,
  completion_tokens: 10, cached_tokens: 4, cache_write_tokens: 0, reasoning_tokens: 2, cost: 123_456_789_012_345_678n,
  latency_ms: 40, ttft_ms: 11, overhead_us: 310, client_ip: '10.0.0.1', user_agent: 'ua', estimated: false, unpriced: false, affinity: null, upstream_cost: null, ...over,
});

const line = (l: NewCallLog, cost = l.cost as bigint) =>
  `{"userId":7,"keyId":8,"channelId":9,"cost":"${cost}","bodies":null,"log":${encodeLog(l)}}`;

describe('journal encoding', () => {
  test('a line decodes to the same call, money exact beyond 2^53', () => {
    const d = decodeSettled(line(log()));
    expect(d.cost).toBe(123_456_789_012_345_678n);
    expect(d.log).toEqual(log());
    const priced = log({ affinity: 'hit', upstream_cost: 2n ** 60n + 1n });
    expect(decodeSettled(line(priced)).log).toEqual(priced);
    expect(d.log.created_at).toBeInstanceOf(Date);
    expect(JSON.parse(d.json)).toHaveLength(28);
  });

  test('NUL and lone surrogates are cleaned for Postgres; surrogate pairs are kept', () => {
    const encoded = encodeLog(log({ model: 'a\u0000b\ud800', user_agent: 'emoji 😀' }));
    expect(encoded).not.toContain('\\u0000');
    expect(encoded).not.toMatch(/\\ud8/i);
    const values = JSON.parse(encoded) as unknown[];
    expect(values).toContain('ab\ufffd');
    expect(values).toContain('emoji 😀');
  });

  test('lines in the older object-shaped format still replay', () => {
    const l = log();
    const old = `{"userId":7,"keyId":8,"channelId":9,"cost":"5","bodies":null,"log":${JSON.stringify({ ...l, cost: String(l.cost) })}}`;
    const d = decodeSettled(old);
    expect(d.log).toEqual(l);
    expect(d.json).toBe(encodeLog(l));
  });
});

describe('journal segments', () => {
  test('appends in one turn share a write; the promise resolves once the lines are on disk', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-journal-'));
    const j = new Journal(dir, false);
    j.open();
    const a = j.append(line(log({ request_id: 'req_a' })));
    const b = j.append(line(log({ request_id: 'req_b' })));
    expect(a).toBe(b);
    const [segment] = readdirSync(dir);
    expect(readFileSync(join(dir, segment!), 'utf8')).toBe('');
    await a;
    expect(j.read(1).map((s) => s.log.request_id)).toEqual(['req_a', 'req_b']);
    // Rotation writes what is pending into the sealed segment first.
    void j.append(line(log({ request_id: 'req_c' })));
    expect(j.rotate()).toBe(1);
    expect(j.read(1).map((s) => s.log.request_id)).toEqual(['req_a', 'req_b', 'req_c']);
    // A process killed mid-write leaves a torn last line: skipped, the rest kept.
    appendFileSync(join(dir, segment!), '{"userId":7,"keyId":');
    expect(j.read(1)).toHaveLength(3);
    j.close();
    expect(readdirSync(dir)).toEqual([]);
  });

  test('before open nothing is journalled and push need not wait', () => {
    const j = new Journal(mkdtempSync(join(tmpdir(), 'sb-journal-')), false);
    expect(j.append('x')).toBeNull();
  });
});
