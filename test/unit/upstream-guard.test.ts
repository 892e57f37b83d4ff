import { describe, expect, test } from 'bun:test';
import { assertUpstreamAllowed } from '../../server/security/guarded-fetch.ts';

describe('upstream guard', () => {
  test('metadata and link-local addresses are refused', async () => {
    for (const url of ['http://169.254.169.254/latest/meta-data', 'http://metadata.google.internal/computeMetadata/v1', 'http://[fe80::1]/', 'http://[::ffff:169.254.169.254]/', 'http://100.100.100.200/']) {
      await expect(assertUpstreamAllowed(url, false)).rejects.toThrow(/metadata|link-local/);
    }
  });

  test('public, private and loopback upstreams are allowed; the operator can allow everything', async () => {
    for (const url of ['https://api.openai.com', 'http://10.0.0.5:11434/v1', 'http://127.0.0.1:9100', 'http://localhost:8080']) {
      await expect(assertUpstreamAllowed(url, false)).resolves.toBeUndefined();
    }
    await expect(assertUpstreamAllowed('http://169.254.169.254/', true)).resolves.toBeUndefined();
  });
});
