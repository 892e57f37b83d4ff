// AI Proxy's channel type numbering against ours (server/aiproxy/channel-types.ts, the table
// in docs/fastgpt.md): every AI Proxy type we offer has a vendor here and reads back as
// itself; every type of ours reads back as some AI Proxy type; packed keys unpack.
import { describe, expect, test } from 'bun:test';
import { AIPROXY_TYPES, KeyFormatError, toAiproxyType, typeMetas, UNSUPPORTED_AIPROXY_TYPES, unpackKey } from '../../server/aiproxy/channel-types.ts';
import { channelTypes, isKnownType, providerFor } from '../../server/relay/providers/registry.ts';

describe('AI Proxy channel types', () => {
  test('each AI Proxy type maps to a vendor here and round-trips', () => {
    for (const t of AIPROXY_TYPES) {
      expect(isKnownType(t.ours)).toBe(true);
      expect(toAiproxyType(t.ours, t.id)).toBe(t.id);
      expect(UNSUPPORTED_AIPROXY_TYPES[t.id]).toBeUndefined();
    }
    expect(Object.keys(typeMetas()).map(Number).sort((a, b) => a - b)).toEqual(AIPROXY_TYPES.map((t) => t.id).sort((a, b) => a - b));
  });

  test('each of our types reads back as an AI Proxy type that serves it or as OpenAI', () => {
    const ids = new Set(AIPROXY_TYPES.map((t) => t.id));
    for (const { type } of channelTypes()) {
      const id = toAiproxyType(type, null);
      expect(ids.has(id)).toBe(true);
      const back = AIPROXY_TYPES.find((t) => t.id === id)!;
      // Same vendor (aliases included, e.g. our 11 PaLM is Gemini's 24), else AI Proxy's OpenAI adaptor.
      if (providerFor(back.ours).id !== providerFor(type).id) expect(id).toBe(1);
    }
    // The ids that differ between the two numberings.
    expect(toAiproxyType(44, null)).toBe(43);
    expect(toAiproxyType(51, null)).toBe(12);
    expect(toAiproxyType(47, null)).toBe(49);
    expect(toAiproxyType(3, null)).toBe(4);
    // A saved AI Proxy type that no longer matches the channel's type (changed in the console) is not trusted.
    expect(toAiproxyType(14, 1)).toBe(14);
  });

  test('packed keys', () => {
    expect(unpackKey(4, 'k0123|2024-10-21')).toEqual({ key: 'k0123', config: { api_version: '2024-10-21' } });
    expect(unpackKey(33, 'eu-west-1|AK|SK')).toEqual({ key: 'AK|SK|eu-west-1', config: { region: 'eu-west-1' } });
    expect(unpackKey(33, 'us-east-1|bedrock-api-key')).toEqual({ key: 'bedrock-api-key', config: { region: 'us-east-1' } });
    expect(unpackKey(42, 'us-central1|{"type":"service_account"}')).toEqual({ key: '{"type":"service_account"}', config: { region: 'us-central1' } });
    expect(unpackKey(27, 'jwt|group')).toEqual({ key: 'jwt', config: {} });
    expect(unpackKey(1, 'sk-a\nsk-b\n\n')).toEqual({ key: 'sk-a\nsk-b', config: {} });
    expect(() => unpackKey(42, 'just-a-key')).toThrow(KeyFormatError);
    expect(() => unpackKey(13, 'ak|sk')).toThrow(KeyFormatError);
  });
});
