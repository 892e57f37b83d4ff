import { describe, expect, test } from 'bun:test';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashClientKey, hintOf, loadMasterSecret, newClientKey, SecretBox } from '../../server/secrets/crypto.ts';

describe('secrets', () => {
  test('client keys: sk- plus 48 random characters, hashed deterministically', () => {
    const k = newClientKey();
    expect(k).toMatch(/^sk-[A-Za-z0-9]{48}$/);
    expect(newClientKey()).not.toBe(k);
    expect(hashClientKey(k)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashClientKey(k)).toBe(hashClientKey(k));
    expect(hintOf(k)).toBe(`${k.slice(0, 7)}…${k.slice(-4)}`);
  });

  test('AES-256-GCM seals and detects tampering and the wrong secret', () => {
    const box = new SecretBox('master-secret-for-tests');
    const sealed = box.seal('sk-upstream-123');
    expect(sealed).not.toContain('sk-upstream');
    expect(box.seal('sk-upstream-123')).not.toBe(sealed);
    expect(box.open(sealed)).toBe('sk-upstream-123');
    const raw = Buffer.from(sealed, 'base64');
    raw[raw.length - 1]! ^= 1;
    expect(() => box.open(raw.toString('base64'))).toThrow();
    expect(() => new SecretBox('another-secret-entirely').open(sealed)).toThrow();
  });

  test('a generated master secret file is private (0600) and stable', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sb-secret-')), 'secret.key');
    const a = loadMasterSecret(undefined, file);
    expect(a.generated).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadMasterSecret(undefined, file)).toEqual({ secret: a.secret, generated: false });
    expect(loadMasterSecret('from-env-secret-value', file).secret).toBe('from-env-secret-value');
  });
});
