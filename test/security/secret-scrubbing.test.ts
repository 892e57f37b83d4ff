// Issue 20 row 4: an upstream that quotes its Authorization header (and other credentials) in
// an error body. The upstream key must not reach the non-admin client, her call logs, the CSV
// export, the live feed or call_logs; nor the server's other upstream-facing outputs.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { LiveEvent } from '../../server/live/events.ts';
import { REDACTED, SecretScrubber, secretsOfKey } from '../../server/state/secret-scrubber.ts';
import { createAccount, patClient } from '../admin/helpers.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

const KEY_A = 'sk-upstream-AAAAAAAAAAAAAAAAAAAAAAAA-secret';
const KEY_B = 'sk-upstream-BBBBBBBBBBBBBBBBBBBBBBBB-secret';

/** An upstream that echoes what it was sent in its error, as some proxies and vendors do. */
function startEchoingUpstream() {
  return Bun.serve({
    port: 0, hostname: '127.0.0.1',
    async fetch(req) {
      await req.text();
      const auth = req.headers.get('authorization') ?? '';
      const url = new URL(req.url);
      if (url.pathname.endsWith('/models')) return new Response(`no models for ${auth}`, { status: 403 });
      // OpenAI's error shape (https://platform.openai.com/docs/guides/error-codes), quoting the header.
      const message = `Invalid header Authorization: ${auth}; other key of this pool: ${KEY_B}; encoded ${encodeURIComponent(KEY_A)}`;
      const status = req.headers.get('x-echo-status') ? Number(req.headers.get('x-echo-status')) : 400;
      return Response.json({ error: { message, type: 'invalid_request_error', code: 'bad_header' } }, { status });
    },
  });
}

describe('SecretScrubber', () => {
  test('redacts keys, their parts, encoded forms and quoted credentials', () => {
    const s = new SecretScrubber().configure({ adminKey: 'admin-key-0123456789' });
    s.updateFrom({ channels: () => [{ keys: [{ key: 'AKIAEXAMPLEKEY01|wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRET|us-east-1' }] }] as never });
    const out = s.scrub('sig for AKIAEXAMPLEKEY01 with wJalrXUtnFEMI%2FK7MDENG%2FbPxRfiCYSECRET; admin-key-0123456789; Bearer eyJhbGciOiJSUzI1NiJ9.abc.def; x-api-key: abcdefgh12345678 in us-east-1');
    expect(out).not.toContain('AKIAEXAMPLEKEY01');
    expect(out).not.toContain('wJalrXUtnFEMI');
    expect(out).not.toContain('admin-key-0123456789');
    expect(out).not.toContain('eyJhbGci');
    expect(out).not.toContain('abcdefgh12345678');
    expect(out).toContain(`Bearer ${REDACTED}`);
    expect(out).toContain('us-east-1'); // short parts are not secrets
  });

  test('a service account key contributes its private key and id', () => {
    const sa = JSON.stringify({ type: 'service_account', private_key_id: 'abcdef0123456789abcdef', private_key: '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n', client_email: 'x@y.iam.gserviceaccount.com' });
    const parts = secretsOfKey(sa);
    expect(parts).toContain('abcdef0123456789abcdef');
    expect(parts.some((p) => p.startsWith('MIIEvQIBADAN'))).toBe(true);
    expect(parts).not.toContain('x@y.iam.gserviceaccount.com');
  });
});

describe('upstream errors quoting the key', () => {
  let up: ReturnType<typeof startEchoingUpstream>;
  let g: TestGateway;
  let userKey: string;
  let channelId: number;
  const events: LiveEvent[] = [];

  beforeAll(async () => {
    up = startEchoingUpstream();
    g = await startTestGateway('postgres');
    await createAccount(g, 'mallory', 'user', '5');
    const ch = await g.admin.channels.create.mutate({ name: 'echo', type: 1, baseUrl: `http://127.0.0.1:${up.port}`, key: `${KEY_A}\n${KEY_B}`, models: ['gpt-4o-mini'] });
    channelId = ch.id;
    await g.admin.prices.set.mutate({ model: 'gpt-4o-mini', inputUsdPerM: '0.15', outputUsdPerM: '0.6' });
    userKey = (await g.admin.keys.create.mutate({ name: 'm', user: 'mallory' })).key;
    g.gw.live.subscribe({ owner: null, types: null, deliver: (e) => events.push(e) });
  }, 60_000);
  afterAll(async () => {
    await g?.close();
    up?.stop(true);
  });

  const noSecret = (text: string) => {
    expect(text).not.toContain('AAAAAAAAAAAAAAAAAAAAAAAA');
    expect(text).not.toContain('BBBBBBBBBBBBBBBBBBBBBBBB');
  };

  test('client answer, call logs, CSV, live feed and call_logs carry no upstream key', async () => {
    const call = (stream: boolean, status?: number) => fetch(`${g.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${userKey}`, ...(status ? { 'x-echo-status': String(status) } : {}) },
      body: JSON.stringify({ model: 'gpt-4o-mini', stream, messages: [{ role: 'user', content: 'hi' }] }),
    });
    const answers: string[] = [];
    for (const stream of [false, true]) {
      const res = await call(stream);
      expect(res.status).toBe(400);
      const body = await res.text();
      expect(body).toContain('Invalid header Authorization: [redacted]');
      answers.push(body);
    }
    for (const a of answers) noSecret(a);
    // The Anthropic protocol too (its own error shape).
    const msg = await fetch(`${g.url}/v1/messages`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': userKey, 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(msg.status).toBe(400);
    noSecret(await msg.text());
    await g.flush();

    const rows = await g.gw.db.db.selectFrom('call_logs').selectAll().execute();
    expect(rows.length).toBeGreaterThanOrEqual(3);
    noSecret(JSON.stringify(rows, (_k, v) => (typeof v === 'bigint' ? String(v) : v)));

    const { client, token } = await patClient(g, 'mallory');
    noSecret(JSON.stringify(await client.logs.list.query({}), (_k, v) => (typeof v === 'bigint' ? String(v) : v)));
    const csv = await fetch(`${g.url}/api/logs/export.csv`, { headers: { authorization: `Bearer ${token}` } });
    expect(csv.status).toBe(200);
    const csvText = await csv.text();
    expect(csvText).toContain('[redacted]');
    noSecret(csvText);

    const calls = events.filter((e) => e.type === 'call.finished');
    expect(calls.length).toBeGreaterThanOrEqual(3);
    noSecret(JSON.stringify(calls, (_k, v) => (typeof v === 'bigint' ? String(v) : v)));
  });

  test('a 5xx echo, channel tests and model lists are scrubbed too', async () => {
    const res = await fetch(`${g.url}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${userKey}`, 'x-echo-status': '500' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    });
    noSecret(await res.text());
    const test1 = await g.admin.channels.test.mutate({ id: channelId, model: 'gpt-4o-mini' });
    expect(test1.success).toBe(false);
    noSecret(JSON.stringify(test1));
    const listed = await g.admin.channels.fetchModels.mutate({ id: channelId }).catch((e: Error) => e.message);
    expect(String(listed)).toContain('[redacted]');
    noSecret(String(listed));
  });
});
