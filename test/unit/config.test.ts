import { describe, expect, test } from 'bun:test';
import { ConfigError, loadConfig } from '../../server/config.ts';

describe('config', () => {
  test('defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 3000, host: '0.0.0.0', dataDir: './data', logLevel: 'info', databaseUrl: undefined });
  });

  test('bad values are reported by name', () => {
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL.*postgres/);
    expect(() => loadConfig({ SWITCHBOARD_SECRET: 'short' })).toThrow(/SWITCHBOARD_SECRET/);
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
  });

  test('empty strings count as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', ADMIN_KEY: '' })).toMatchObject({ databaseUrl: undefined, adminKey: undefined });
  });

  test('the server exits 1 with a clear message on bad config', async () => {
    const p = Bun.spawn(['bun', 'server/main.ts'], { env: { ...process.env, PORT: 'nope' }, stdout: 'pipe', stderr: 'pipe' });
    expect(await p.exited).toBe(1);
    expect(await new Response(p.stderr).text()).toContain('PORT');
  });
});
