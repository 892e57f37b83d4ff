// One API's price semantics (songquanpeng/one-api relay/billing/ratio/model.go, GetModelRatio /
// GetCompletionRatio, at ONEAPI_RATIO_COMMIT): every price the import writes equals what One API
// charged, from MySQL, PostgreSQL and SQLite sources; calls through the gateway cost what One
// API's quota formula gives. Expected figures are worked out here by hand from One API's source.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { importOneApi } from '../../server/importer/index.ts';
import { OneApiRatios } from '../../server/importer/ratios/resolve.ts';
import { ONEAPI_RATIO_COMMIT } from '../../server/importer/ratios/builtin.ts';
import { SecretBox } from '../../server/secrets/crypto.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { startMockOpenAI, type MockOpenAI } from '../mocks/openai.ts';
import { buildMysqlFixture, buildPostgresFixture, buildSqliteFixture, type FixtureBuilder, type FixtureDb } from './fixtures/build.ts';
import { oneApiWorld, WORLD_TOKEN } from './oneapi-world.ts';
import { freshTarget } from './target.ts';

const box = new SecretBox('importer-test-master-secret');
const M = 1_000_000_000n; // $1 in nano-USD

/** model → [input, output] in nano-USD per 1M tokens, what One API charged on that channel. */
const EXPECTED_LIST: Record<string, [bigint, bigint]> = {
  // Two of gpt-4o's three channels are type 8, priced by the `gpt-4o(8)` option key: 0.5 × $2, ×4 (gpt-4o* rule).
  'gpt-4o': [1n * M, 4n * M],
  'gpt-3.5-turbo': [M / 2n, (3n * M) / 2n], // built-in 0.25; rule: gpt-3.5-turbo → 3
  'claude-3-5-sonnet-20241022': [3n * M, 15n * M], // built-in 3.0/1000*USD = 1.5; rule claude-3* → 5
  'deepseek-chat': [140_000_000n, 280_000_000n], // built-in 0.14*MILLI_USD = 0.07; built-in completion 0.28/0.14 = 2
  'my-private-model': [60n * M, 60n * M], // no table knows it: ratio 30, completion 1
  'gemini-1.5-flash': [75_000_000n, 225_000_000n], // built-in 0.075*MILLI_USD; rule gemini-* → 3
  'my-alias': [M / 2n, (3n * M) / 2n], // model_mapping → gpt-3.5-turbo, which One API billed
  'text-only-model': [4n * M, 6n * M], // option 2 × option completion 1.5, served by no channel
};

describe('One API ratio lookups match GetModelRatio / GetCompletionRatio', () => {
  const q = (n: number, d = 1) => ({ num: BigInt(n), den: BigInt(d) });
  const builtinOnly = new OneApiRatios(null, null);

  test(`built-in tables are from songquanpeng/one-api ${ONEAPI_RATIO_COMMIT.slice(0, 7)}`, () => {
    expect(ONEAPI_RATIO_COMMIT).toMatch(/^[0-9a-f]{40}$/);
    expect(builtinOnly.model('gpt-4o', 1)).toMatchObject({ value: q(5, 2), source: 'builtin' });
    expect(builtinOnly.model('ERNIE-4.0-8K', 15).value).toEqual(q(213, 25)); // 0.120 * RMB, RMB = 500/7 = 71 (integer constants)
    expect(builtinOnly.model('claude-3-5-haiku-20241022', 14).value).toEqual(q(1, 2)); // 1.0/1000*USD
  });

  test('a channel-type key wins for that type only, before the plain name', () => {
    // "llama3-8b-8192(33)": 0.0003 / 0.002 (AWS) vs "llama3-8b-8192": 0.05/1000000*USD (Groq).
    expect(builtinOnly.model('llama3-8b-8192', 33).value).toEqual(q(3, 20));
    expect(builtinOnly.model('llama3-8b-8192', 29).value).toEqual(q(1, 40000));
    expect(builtinOnly.completion('llama3-8b-8192', 33).value).toEqual(q(2)); // 0.0006 / 0.0003
    expect(builtinOnly.completion('llama3-70b-8192', 33).value).toEqual(q(70, 53)); // 0.0035 / 0.00265
    expect(builtinOnly.completion('llama3-70b-8192', 29).value).toEqual(q(79, 59)); // switch: 0.79 / 0.59
    // Options replace the live map, but the built-in table still answers behind them, and a
    // built-in channel-type key beats a plain option key (GetModelRatio's lookup order).
    const withOption = new OneApiRatios(new Map([['llama3-8b-8192', q(7)]]), new Map());
    expect(withOption.model('llama3-8b-8192', 33).value).toEqual(q(3, 20));
    expect(withOption.model('llama3-8b-8192', 1).value).toEqual(q(7));
  });

  test('completion rules and the unknown-model fallback', () => {
    const r = (m: string) => builtinOnly.completion(m, 1).value;
    expect(r('gpt-4o')).toEqual(q(4));
    expect(r('gpt-4o-2024-05-13')).toEqual(q(3));
    expect(r('gpt-4-turbo')).toEqual(q(3));
    expect(r('gpt-4')).toEqual(q(2));
    expect(r('gpt-3.5-turbo-1106')).toEqual(q(2));
    expect(r('gpt-3.5-turbo-16k')).toEqual(q(4, 3));
    expect(r('o1-mini')).toEqual(q(4));
    expect(r('claude-2.1')).toEqual(q(3));
    expect(r('whisper-1')).toEqual(q(0));
    expect(r('command-r-plus')).toEqual(q(5));
    expect(r('some-llm')).toEqual(q(1));
    expect(builtinOnly.model('some-llm', 1)).toMatchObject({ value: q(30), source: 'fallback' });
    expect(builtinOnly.model('qwen-turbo-internet', 17).value).toEqual(builtinOnly.model('qwen-turbo', 17).value);
  });
});

const KINDS: [string, FixtureBuilder][] = [['SQLite', buildSqliteFixture], ['MySQL', buildMysqlFixture], ['PostgreSQL', buildPostgresFixture]];

describe.each(KINDS)('prices imported from %s', (_label, build) => {
  test('every price equals One API effective input and output price; channel-type keys become channel prices', async () => {
    const src = await build(oneApiWorld('http://127.0.0.1:9'));
    const target = await freshTarget();
    try {
      const report = await importOneApi(target.db, box, { dsn: src.dsn });
      const prices = await target.db.selectFrom('prices').select(['model', 'input', 'output', 'cache_read']).orderBy('model').execute();
      expect(Object.fromEntries(prices.map((p) => [p.model, [p.input, p.output]]))).toEqual(EXPECTED_LIST);
      expect(prices.map((p) => p.model)).not.toContain('gpt-4o(8)');
      const channelPrices = await target.db
        .selectFrom('channel_prices')
        .innerJoin('channels', 'channels.id', 'channel_prices.channel_id')
        .select(['channels.oneapi_id', 'channel_prices.model', 'channel_prices.input', 'channel_prices.output'])
        .execute();
      // The OpenAI channel (type 1) charged the plain gpt-4o ratio 1.25: $2.50 in, $10 out.
      expect(channelPrices).toEqual([{ oneapi_id: 1, model: 'gpt-4o', input: 2_500_000_000n, output: 10n * M }]);
      const gpt4o = report.preview.find((p) => p.table === 'channel_prices');
      expect(gpt4o?.values).toEqual([
        { field: 'input per 1M', old: null, new: '$2.5' },
        { field: 'output per 1M', old: null, new: '$10' },
      ]);
      expect(report.notes.some((n) => n.includes('my-private-model') && n.includes('fallback ratio 30'))).toBe(true);
      const groups = await target.db.selectFrom('groups').select(['name', 'multiplier_ppm']).orderBy('name').execute();
      expect(groups).toEqual([{ name: 'default', multiplier_ppm: 1_000_000 }, { name: 'vip', multiplier_ppm: 800_000 }]);
    } finally {
      await target.drop();
      await src.drop();
    }
  });
});

describe('existing Switchboard prices: replace or keep', () => {
  test('the dry run shows old → new; keep leaves them, replace sets One API price', async () => {
    const src = await buildSqliteFixture(oneApiWorld('http://127.0.0.1:9'));
    const target = await freshTarget();
    try {
      await target.db.insertInto('prices').values({ model: 'gpt-3.5-turbo', input: 400_000_000n, output: 400_000_000n, cache_read: 100n, extra: {}, source: 'manual' }).execute();
      const dry = await importOneApi(target.db, box, { dsn: src.dsn, dryRun: true });
      expect(dry.preview.find((p) => p.table === 'prices' && p.label === 'gpt-3.5-turbo')).toMatchObject({
        action: 'update',
        values: [
          { field: 'input per 1M', old: '$0.4', new: '$0.5' },
          { field: 'output per 1M', old: '$0.4', new: '$1.5' },
        ],
      });
      const kept = await importOneApi(target.db, box, { dsn: src.dsn, prices: 'keep' });
      expect(kept.preview.find((p) => p.label === 'gpt-3.5-turbo')).toMatchObject({ action: 'keep' });
      const k = await target.db.selectFrom('prices').select(['input', 'output', 'source']).where('model', '=', 'gpt-3.5-turbo').executeTakeFirstOrThrow();
      expect(k).toEqual({ input: 400_000_000n, output: 400_000_000n, source: 'manual' });
      await importOneApi(target.db, box, { dsn: src.dsn, prices: 'replace' });
      const r = await target.db.selectFrom('prices').select(['input', 'output', 'cache_read', 'source']).where('model', '=', 'gpt-3.5-turbo').executeTakeFirstOrThrow();
      expect(r).toEqual({ input: M / 2n, output: (3n * M) / 2n, cache_read: null, source: 'oneapi' });
    } finally {
      await target.drop();
      await src.drop();
    }
  });
});

describe('served models are callable and billed as One API billed them', () => {
  let g: TestGateway;
  let mock: MockOpenAI;
  let src: FixtureDb;
  beforeAll(async () => {
    mock = await startMockOpenAI();
    g = await startTestGateway('pglite');
    src = await buildSqliteFixture(oneApiWorld(mock.url));
    await importOneApi(g.gw.db.db, g.gw.box, { dsn: src.dsn });
    await g.gw.invalidate();
  }, 60_000);
  afterAll(async () => {
    await g?.close();
    mock?.stop();
    await src?.drop();
  });

  // One API: quota = ceil((prompt + completion × completionRatio) × modelRatio × groupRatio), 1 quota = $0.000002.
  const cases: [string, number, number][] = [
    ['gpt-4o', 1.25, 4], // served by the type-1 channel (priority 10): the plain ratio, not gpt-4o(8)
    ['gpt-3.5-turbo', 0.25, 3],
    ['claude-3-5-sonnet-20241022', 1.5, 5],
    ['deepseek-chat', 0.07, 2],
    ['my-private-model', 30, 1],
    ['gemini-1.5-flash', 0.0375, 3],
    ['my-alias', 0.25, 3],
  ];
  test.each(cases)('%s', async (model, modelRatio, completionRatio) => {
    const res = await fetch(`${g.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer sk-${WORLD_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    await g.flush();
    const { prompt_tokens: p, completion_tokens: c } = body.usage;
    const log = await g.gw.db.db.selectFrom('call_logs').select(['cost', 'channel_id']).where('model', '=', model).orderBy('created_at', 'desc').executeTakeFirstOrThrow();
    const oneApiQuota = Math.ceil((p + c * completionRatio) * modelRatio * 0.8);
    // Switchboard bills the exact amount; One API rounded up to whole quota units (2,000 nano-USD).
    expect(log.cost).toBeLessThanOrEqual(BigInt(oneApiQuota) * 2000n);
    expect(log.cost).toBeGreaterThan(BigInt(oneApiQuota - 1) * 2000n);
    if (model === 'gpt-4o') {
      const ch = await g.gw.db.db.selectFrom('channels').select('oneapi_id').where('id', '=', log.channel_id!).executeTakeFirstOrThrow();
      expect(ch.oneapi_id).toBe(1);
      // 11 prompt + 4 completion tokens: (11 + 4 × 4) × 1.25 × 0.8 = 27 quota = 54,000 nano-USD, One API's exact figure.
      expect(log.cost).toBe(54_000n);
    }
  });
});
