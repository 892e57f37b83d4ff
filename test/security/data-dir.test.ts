// Issue 20 row 9: DATA_DIR is 0700 and every file in it 0600 — the PGlite files (created 0666
// before), the journal (0644 before), the master secret and admin key — including files left
// by an earlier start with looser modes.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { chmodSync, lstatSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { seed } from '../helpers/seed.ts';
import { startMockOpenAI, type MockOpenAI } from '../mocks/openai.ts';

function loose(dir: string): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    const st = lstatSync(p);
    if ((st.mode & 0o077) !== 0) out.push(`${p} ${(st.mode & 0o777).toString(8)}`);
    if (st.isDirectory()) for (const n of readdirSync(p)) walk(join(p, n));
  };
  walk(dir);
  return out;
}

describe('DATA_DIR permissions', () => {
  let g: TestGateway;
  let mock: MockOpenAI;
  const umask = process.umask();

  beforeAll(async () => {
    mock = await startMockOpenAI();
    g = await startTestGateway('pglite');
  }, 60_000);
  afterAll(async () => {
    await g?.close();
    mock?.stop();
    process.umask(umask);
  });

  test('after start and a served call, nothing in DATA_DIR is readable by group or others', async () => {
    const s = await seed(g, mock.url);
    const res = await fetch(`${g.url}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${s.key}` },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(200);
    await g.flush();
    const dir = g.gw.config.dataDir;
    expect(lstatSync(dir).mode & 0o777).toBe(0o700);
    expect(loose(dir)).toEqual([]);
    // New files written now (journal segments, PGlite pages) are 0600 too.
    writeFileSync(join(dir, 'probe'), 'x');
    expect(lstatSync(join(dir, 'probe')).mode & 0o777).toBe(0o600);
  });

  test('the journal and the generated secrets are 0600', () => {
    const dir = g.gw.config.dataDir;
    for (const f of ['secret.key', 'admin-key']) {
      try {
        expect(lstatSync(join(dir, f)).mode & 0o777).toBe(0o600);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
    expect(lstatSync(join(dir, 'journal')).mode & 0o777).toBe(0o700);
  });

  test('a DATA_DIR left with loose modes is tightened at start', async () => {
    const { secureDataDir } = await import('../../server/security/data-dir.ts');
    const dir = g.gw.config.dataDir;
    chmodSync(dir, 0o755);
    chmodSync(join(dir, 'probe'), 0o644);
    expect(secureDataDir(dir)).toBeGreaterThanOrEqual(2);
    expect(loose(dir)).toEqual([]);
  });
});
