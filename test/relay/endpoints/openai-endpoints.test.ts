// Every OpenAI endpoint besides chat, end to end: the official `openai` client (fetch for
// rerank) → Switchboard → a local upstream speaking OpenAI's formats. Each call's log row
// is checked for its endpoint, tokens and cost, exact to the nano-USD, in its own unit.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import OpenAI, { toFile } from 'openai';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.ts';
import { seed, type Seeded } from '../../helpers/seed.ts';
import {
  CHAT_USAGE, EMBEDDING, EMBEDDING_TOKENS_PER_INPUT, float32Base64, type MockEndpoints, RERANK_TOKENS, SPEECH_BYTES, startMockEndpoints, TRANSCRIBE_USAGE,
} from '../../mocks/openai-endpoints.ts';
import { dropPrice, logFor, setPrice, wavSilence } from './helpers.ts';

const MODELS = [
  'text-embedding-3-small', 'dall-e-3', 'gpt-image-1', 'tts-1', 'whisper-1', 'gpt-4o-transcribe', 'omni-moderation-latest',
  'rerank-v3.5', 'jina-reranker-v2', 'gpt-3.5-turbo-instruct',
];

describe('OpenAI endpoints', () => {
  let mock: MockEndpoints;
  let g: TestGateway;
  let s: Seeded;
  let client: OpenAI;
  const post = (path: string, body: BodyInit, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    fetch(`${g.url}/v1/${path}`, { method: 'POST', headers: { authorization: `Bearer ${s.key}`, ...headers }, body });

  beforeAll(async () => {
    mock = await startMockEndpoints();
    g = await startTestGateway('pglite');
    s = await seed(g, mock.url, { models: MODELS, balanceUsd: '100' });
    client = new OpenAI({ baseURL: `${g.url}/v1`, apiKey: s.key, maxRetries: 0 });
    await setPrice(g, 'text-embedding-3-small', { input: '0.02' });
    await setPrice(g, 'dall-e-3', { extra: { image: { '1024x1024|standard': '40000000', '1024x1024|hd': '80000000', '1792x1024|hd': '120000000' } } });
    await setPrice(g, 'gpt-image-1', { input: '5', output: '40', extra: { image: { '1024x1024|low': '11000000', '1024x1024|high': '167000000' } } });
    await setPrice(g, 'tts-1', { extra: { tts_per_m_chars: '15000000000' } });
    await setPrice(g, 'whisper-1', { extra: { stt_per_minute: '6000000' } });
    await setPrice(g, 'gpt-4o-transcribe', { input: '2.5', output: '10' });
    await setPrice(g, 'rerank-v3.5', { extra: { per_search: '2000000' } });
    await setPrice(g, 'jina-reranker-v2', { input: '0.02' });
    await setPrice(g, 'gpt-3.5-turbo-instruct', { input: '1.5', output: '2' });
    await dropPrice(g, 'omni-moderation-latest');
  }, 60_000);
  afterAll(async () => {
    await g.close();
    mock.stop();
  });

  test('embeddings, float: vectors pass through, billed by the input tokens the upstream reports', async () => {
    const { data, response } = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'], encoding_format: 'float' }).withResponse();
    expect(data.data.map((d) => d.embedding)).toEqual([EMBEDDING, EMBEDDING]);
    expect(Number(response.headers.get('x-switchboard-overhead-ms'))).toBeGreaterThanOrEqual(0);
    expect(mock.last('/embeddings')!.body.encoding_format).toBe('float');
    const log = await logFor(g, response.headers.get('x-request-id'));
    const tokens = 2 * EMBEDDING_TOKENS_PER_INPUT;
    expect(log).toMatchObject({ endpoint: 'embeddings', status: 200, prompt_tokens: tokens, completion_tokens: 0, estimated: false });
    expect(log.cost).toBe(BigInt(tokens) * 20n);
  });

  test('embeddings, base64: the encoded vector comes back byte for byte (and the SDK decodes it)', async () => {
    const res = await post('embeddings', JSON.stringify({ model: 'text-embedding-3-small', input: 'a', encoding_format: 'base64' }));
    const body = (await res.json()) as { data: Array<{ embedding: string }> };
    expect(body.data[0]!.embedding).toBe(float32Base64(EMBEDDING));
    const log = await logFor(g, res.headers.get('x-request-id'));
    expect(log.cost).toBe(BigInt(EMBEDDING_TOKENS_PER_INPUT) * 20n);
    // The SDK asks for base64 by default and decodes it itself.
    const sdk = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'a' });
    expect(sdk.data[0]!.embedding).toEqual(EMBEDDING);
  });

  test('images.generate: n × the price of the size and quality', async () => {
    const { data, response } = await client.images.generate({ model: 'dall-e-3', prompt: 'a cat', n: 2, quality: 'hd', size: '1024x1024' }).withResponse();
    expect(data.data).toHaveLength(2);
    const log = await logFor(g, response.headers.get('x-request-id'));
    expect(log).toMatchObject({ endpoint: 'images/generations', status: 200, estimated: false });
    expect(log.cost).toBe(2n * 80_000_000n);
  });

  test('images.edit (multipart): the form reaches the upstream intact; billed per image at the size/quality reported', async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4, 5]);
    const { data, response } = await client.images.edit({ model: 'gpt-image-1', image: await toFile(png, 'cat.png', { type: 'image/png' }), prompt: 'add a hat', quality: 'low' }).withResponse();
    expect(data.data).toHaveLength(1);
    const up = mock.last('/images/edits')!;
    expect(up.contentType).toMatch(/^multipart\/form-data; ?boundary=/);
    expect(up.body).toMatchObject({ model: 'gpt-image-1', prompt: 'add a hat', quality: 'low' });
    expect(up.files.image).toMatchObject({ name: 'cat.png', size: png.length });
    const log = await logFor(g, response.headers.get('x-request-id'));
    expect(log).toMatchObject({ endpoint: 'images/edits', prompt_tokens: 50, completion_tokens: 4160 });
    expect(log.cost).toBe(11_000_000n);
  });

  test('audio.speech: the audio streams back as binary, billed per input character', async () => {
    const input = 'Hello world, ça va?';
    const res = await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input });
    expect(res.headers.get('content-type')).toBe('audio/mpeg');
    const audio = new Uint8Array(await res.arrayBuffer());
    expect(audio.byteLength).toBe(SPEECH_BYTES);
    expect(audio.every((b) => b === 0xab)).toBe(true);
    const log = await logFor(g, res.headers.get('x-request-id'));
    expect(log).toMatchObject({ endpoint: 'audio/speech', status: 200 });
    expect(log.cost).toBe(BigInt([...input].length) * 15_000n);
  });

  test('audio.transcriptions with a generated WAV: billed per second from the WAV header', async () => {
    const wav = wavSilence(1);
    const { data, response } = await client.audio.transcriptions.create({ model: 'whisper-1', file: await toFile(wav, 'silence.wav', { type: 'audio/wav' }) }).withResponse();
    expect(data.text).toBe('hello world');
    expect(mock.last('/audio/transcriptions')!.files.file).toMatchObject({ name: 'silence.wav', size: wav.byteLength });
    const log = await logFor(g, response.headers.get('x-request-id'));
    expect(log).toMatchObject({ endpoint: 'audio/transcriptions', status: 200, estimated: false });
    expect(log.cost).toBe(100_000n); // $0.006/min → 1 s
  });

  test('audio.transcriptions verbose_json: the duration the upstream reports wins (2.5 s → 3 s)', async () => {
    const { data, response } = await client.audio.transcriptions.create({ model: 'whisper-1', file: await toFile(wavSilence(1), 'a.wav'), response_format: 'verbose_json' }).withResponse();
    expect(data.duration).toBe(2.5);
    const log = await logFor(g, response.headers.get('x-request-id'));
    expect(log.cost).toBe(300_000n);
  });

  test('audio.transcriptions of a non-WAV file: billed by the tokens the upstream reports', async () => {
    const mp3 = new Uint8Array([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0, 0, 9, 9, 9]);
    const { response } = await client.audio.transcriptions.create({ model: 'gpt-4o-transcribe', file: await toFile(mp3, 'a.mp3', { type: 'audio/mpeg' }) }).withResponse();
    const log = await logFor(g, response.headers.get('x-request-id'));
    expect(log).toMatchObject({ prompt_tokens: TRANSCRIBE_USAGE.input_tokens, completion_tokens: TRANSCRIBE_USAGE.output_tokens });
    expect(log.cost).toBe(14n * 2_500n + 5n * 10_000n);
  });

  test('audio.translations with response_format=text: plain text back, billed from the WAV', async () => {
    const { data, response } = await client.audio.translations.create({ model: 'whisper-1', file: await toFile(wavSilence(2), 'a.wav'), response_format: 'text' }).withResponse();
    expect(String(data).trim()).toBe('hello world');
    expect(response.headers.get('content-type')).toContain('text/plain');
    const log = await logFor(g, response.headers.get('x-request-id'));
    expect(log).toMatchObject({ endpoint: 'audio/translations', status: 200 });
    expect(log.cost).toBe(200_000n);
  });

  test('a mapped model re-encodes the multipart form with the upstream name, file intact', async () => {
    await g.admin.channels.create.mutate({ name: 'mapped-stt', type: 1, baseUrl: mock.url, key: 'sk-up', models: ['house-whisper'], mapping: { 'house-whisper': 'whisper-1' } });
    await setPrice(g, 'house-whisper', { extra: { stt_per_minute: '60000000' } });
    const wav = wavSilence(1);
    const { response } = await client.audio.transcriptions.create({ model: 'house-whisper', file: await toFile(wav, 'x.wav'), language: 'en' }).withResponse();
    const up = mock.last('/audio/transcriptions')!;
    expect(up.body).toMatchObject({ model: 'whisper-1', language: 'en' });
    expect(up.files.file).toMatchObject({ name: 'x.wav', size: wav.byteLength });
    const log = await logFor(g, response.headers.get('x-request-id'));
    expect(log).toMatchObject({ model: 'house-whisper', upstream_model: 'whisper-1' });
    expect(log.cost).toBe(1_000_000n);
  });

  test('moderations: served without a price row and logged at cost 0', async () => {
    const { data, response } = await client.moderations.create({ model: 'omni-moderation-latest', input: 'hello' }).withResponse();
    expect(data.results[0]!.flagged).toBe(false);
    const log = await logFor(g, response.headers.get('x-request-id'));
    expect(log).toMatchObject({ endpoint: 'moderations', status: 200, model: 'omni-moderation-latest' });
    expect(log.cost).toBe(0n);
  });

  test('rerank (Cohere shape): billed per search', async () => {
    const res = await post('rerank', JSON.stringify({ model: 'rerank-v3.5', query: 'capital of France', documents: ['Paris', 'Berlin', { text: 'Rome' }], top_n: 2 }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { results: unknown[] };
    expect(body.results).toHaveLength(2);
    const log = await logFor(g, res.headers.get('x-request-id'));
    expect(log).toMatchObject({ endpoint: 'rerank', status: 200 });
    expect(log.cost).toBe(2_000_000n);
  });

  test('rerank (Jina shape) without a per-search price: billed by the tokens reported', async () => {
    const res = await post('rerank', JSON.stringify({ model: 'jina-reranker-v2', query: 'q', documents: ['a', 'b'] }));
    expect(res.status).toBe(200);
    const log = await logFor(g, res.headers.get('x-request-id'));
    expect(log).toMatchObject({ prompt_tokens: RERANK_TOKENS, estimated: false });
    expect(log.cost).toBe(BigInt(RERANK_TOKENS) * 20n);
  });

  test('completions, plain and streamed: metered from usage (asked for on the client\'s behalf)', async () => {
    const cost = BigInt(CHAT_USAGE.prompt_tokens) * 1_500n + BigInt(CHAT_USAGE.completion_tokens) * 2_000n;
    const { data, response } = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Hello' }).withResponse();
    expect(data.choices[0]!.text).toBe(' world');
    expect((await logFor(g, response.headers.get('x-request-id'))).cost).toBe(cost);

    const { data: stream, response: sres } = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Hello', stream: true }).withResponse();
    let text = '';
    let sawUsage = false;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.text ?? '';
      if (chunk.usage) sawUsage = true;
    }
    expect(text).toBe(' world');
    expect(sawUsage).toBe(false);
    expect(mock.last('/completions')!.body.stream_options).toEqual({ include_usage: true });
    const log = await logFor(g, sres.headers.get('x-request-id'));
    expect(log).toMatchObject({ endpoint: 'completions', stream: true, prompt_tokens: CHAT_USAGE.prompt_tokens, estimated: false });
    expect(log.cost).toBe(cost);
  });

  test('channels that cannot serve an endpoint are skipped (a native-wire channel for embeddings)', async () => {
    const { id } = await g.admin.channels.create.mutate({ name: 'claude-first', type: 14, baseUrl: 'http://127.0.0.1:9', key: 'sk-ant', models: ['text-embedding-3-small'], priority: 10 });
    try {
      const { response } = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'a', encoding_format: 'float' }).withResponse();
      const log = await logFor(g, response.headers.get('x-request-id'));
      expect(log.channel_id).toBe(s.channelId);
      expect(log.attempts).toHaveLength(1);
    } finally {
      await g.gw.db.db.updateTable('channels').set({ status: 2 }).where('id', '=', id).execute();
      await g.gw.invalidate();
    }
  });

  test('an upstream failure is an OpenAI-shaped error and is logged', async () => {
    await g.admin.channels.create.mutate({ name: 'failing', type: 1, baseUrl: mock.url, key: 'sk-up', models: ['mock-fail'] });
    await setPrice(g, 'mock-fail', { input: '1' });
    const res = await post('embeddings', JSON.stringify({ model: 'mock-fail', input: 'x' }));
    expect(res.status).toBeGreaterThanOrEqual(500);
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message).toContain('mock upstream failure');
    const log = await logFor(g, res.headers.get('x-request-id'));
    expect(log.cost).toBe(0n);
  });

  describe('malformed bodies get a 400 in OpenAI\'s shape', () => {
    const json = (o: unknown) => JSON.stringify(o);
    const multipart = (fields: Record<string, string>) => {
      const f = new FormData();
      for (const [k, v] of Object.entries(fields)) f.append(k, v);
      return f;
    };
    const cases: Array<[string, string, () => BodyInit, string, Record<string, string>?]> = [
      ['completions', 'completions', () => json({ model: 'gpt-3.5-turbo-instruct' }), 'prompt'],
      ['embeddings', 'embeddings', () => '{"model":', 'not valid JSON'],
      ['embeddings (bad encoding)', 'embeddings', () => json({ model: 'text-embedding-3-small', input: 'a', encoding_format: 'int8' }), 'encoding_format'],
      ['images/generations', 'images/generations', () => json({ model: 'dall-e-3' }), 'prompt'],
      ['images/edits (not multipart)', 'images/edits', () => json({ model: 'gpt-image-1', prompt: 'x' }), 'multipart/form-data'],
      ['images/edits (no image)', 'images/edits', () => multipart({ model: 'gpt-image-1', prompt: 'x' }), 'image', {}],
      ['audio/speech', 'audio/speech', () => json({ model: 'tts-1', voice: 'alloy' }), 'input'],
      ['audio/transcriptions (no file)', 'audio/transcriptions', () => multipart({ model: 'whisper-1' }), 'file', {}],
      ['audio/translations (not multipart)', 'audio/translations', () => 'hello', 'multipart/form-data'],
      ['moderations', 'moderations', () => json({ input: 42 }), 'input'],
      ['rerank', 'rerank', () => json({ model: 'rerank-v3.5', query: 'q', documents: [] }), 'documents'],
      ['rerank (array body)', 'rerank', () => '[1,2]', 'JSON object'],
    ];
    for (const [label, path, body, mentions, headers] of cases) {
      test(label, async () => {
        const res = await post(path, body(), headers);
        expect(res.status).toBe(400);
        expect(res.headers.get('x-request-id')).toMatch(/^req_/);
        const err = (await res.json()) as { error: { message: string; type: string } };
        expect(err.error.type).toBe('invalid_request_error');
        expect(err.error.message).toContain(mentions);
      });
    }
  });
});
