// Client keys are stored as sha256 hashes; upstream keys are sealed with AES-256-GCM.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random string from [A-Za-z0-9] without modulo bias. */
export function randomToken(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < 248 && out.length < length) out += KEY_ALPHABET[b % 62];
    }
  }
  return out;
}

/** A new client key: `sk-` plus 48 random characters (One API's length, so imports look alike). */
export function newClientKey(): string {
  return `sk-${randomToken(48)}`;
}

export function hashClientKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** What a console shows of a secret: its first and last four characters. */
export function hintOf(secret: string): string {
  if (secret.length <= 12) return `${secret.slice(0, 2)}…`;
  return `${secret.slice(0, secret.startsWith('sk-') ? 7 : 4)}…${secret.slice(-4)}`;
}

export class SecretBox {
  private readonly key: Buffer;
  constructor(masterSecret: string) {
    // The master secret may be any string; derive a 32-byte key from it.
    this.key = createHash('sha256').update(`switchboard:v1:${masterSecret}`).digest();
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64');
  }

  open(sealed: string): string {
    const raw = Buffer.from(sealed, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }
}

/** SWITCHBOARD_SECRET, or a key file generated on first start with mode 0600. */
export function loadMasterSecret(fromEnv: string | undefined, keyFile: string): { secret: string; generated: boolean } {
  if (fromEnv) return { secret: fromEnv, generated: false };
  if (existsSync(keyFile)) return { secret: readFileSync(keyFile, 'utf8').trim(), generated: false };
  mkdirSync(dirname(keyFile), { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(keyFile, secret + '\n', { mode: 0o600 });
  chmodSync(keyFile, 0o600);
  return { secret, generated: true };
}
