// AI Proxy's channel type numbering (labring/aiproxy core/model/chtype.go) against ours
// (One API's, server/relay/providers/registry.ts). Most ids agree; a few differ (AI Proxy
// 4 Azure, 12 Gemini-OpenAI, 13/49 Baidu Qianfan v2, 43 SiliconFlow, 47 Jina, 52 Zhipu
// coding) and some AI Proxy types have no vendor here. The table is in docs/fastgpt.md.
// Keys AI Proxy packs with settings (`key|api-version` for Azure, `region|ak|sk` for AWS,
// `region|adcJSON` for Vertex) are unpacked into our key and channel config.
import { channelTypes, providerFor } from '../relay/providers/registry.ts';

export interface AiproxyType {
  /** AI Proxy's id. */
  id: number;
  /** AI Proxy's own name for the type (what its type_metas answer). */
  name: string;
  /** Our channel type. */
  ours: number;
  /** Replaces our provider's default base URL (when AI Proxy's type is a product on a host of its own). */
  defaultBaseUrl?: string;
  /** The base URL when none is sent and the vendor's depends on the key (AWS: its region). */
  baseUrlFor?: (config: Record<string, string>) => string;
  /** How AI Proxy writes the key, when it differs from our provider's key format. */
  keyHelp?: string;
}

export const AIPROXY_TYPES: AiproxyType[] = [
  { id: 1, name: 'openai', ours: 1 },
  { id: 3, name: 'azure (deprecated)', ours: 3, keyHelp: 'key or key|api-version' },
  { id: 4, name: 'azure', ours: 3, keyHelp: 'key or key|api-version' },
  { id: 12, name: 'google gemini (openai)', ours: 51 },
  { id: 13, name: 'baidu v2', ours: 47, keyHelp: 'bce-v3/ALTAK-…/… (Qianfan v2 API key; ak|sk pairs are not supported)' },
  { id: 14, name: 'anthropic', ours: 14 },
  { id: 15, name: 'baidu', ours: 15 },
  { id: 16, name: 'zhipu', ours: 16 },
  { id: 17, name: 'ali', ours: 17 },
  { id: 18, name: 'xunfei', ours: 18 },
  { id: 19, name: 'ai360', ours: 19 },
  { id: 20, name: 'openrouter', ours: 20 },
  { id: 23, name: 'tencent', ours: 23 },
  { id: 24, name: 'google gemini', ours: 24 },
  { id: 25, name: 'moonshot', ours: 25 },
  { id: 26, name: 'baichuan', ours: 26 },
  { id: 27, name: 'minimax', ours: 27 },
  { id: 28, name: 'mistral', ours: 28 },
  { id: 29, name: 'groq', ours: 29 },
  { id: 30, name: 'ollama', ours: 30 },
  { id: 31, name: 'lingyiwanwu', ours: 31 },
  { id: 32, name: 'stepfun', ours: 32 },
  { id: 33, name: 'aws', ours: 33, baseUrlFor: (c) => (c.region ? `https://bedrock-runtime.${c.region}.amazonaws.com` : ''), keyHelp: 'region|ak|sk or region|apikey' },
  { id: 34, name: 'coze', ours: 34 },
  { id: 35, name: 'Cohere', ours: 35 },
  { id: 36, name: 'deepseek', ours: 36 },
  { id: 37, name: 'cloudflare', ours: 37 },
  { id: 40, name: 'doubao', ours: 40 },
  { id: 41, name: 'novita', ours: 41 },
  { id: 42, name: 'vertexai', ours: 42, keyHelp: 'region|adcJSON' },
  { id: 43, name: 'siliconflow', ours: 44 },
  { id: 45, name: 'xai', ours: 45 },
  { id: 47, name: 'jina', ours: 50, defaultBaseUrl: 'https://api.jina.ai/v1' },
  { id: 49, name: 'qianfan', ours: 47 },
  { id: 52, name: 'zhipu coding', ours: 16, defaultBaseUrl: 'https://open.bigmodel.cn/api/coding/paas/v4' },
];

/** AI Proxy types with no vendor here: creating one is refused with this reason. */
export const UNSUPPORTED_AIPROXY_TYPES: Record<number, string> = {
  44: 'doubao audio (Volcengine speech WebSocket API)',
  46: 'doc2x (PDF parsing API)',
  48: 'huggingface text-embeddings-inference',
  50: 'Sangfor AICP',
  51: 'Streamlake',
  53: 'fake',
  54: 'antling',
  55: 'fake-error',
};

const byId = new Map(AIPROXY_TYPES.map((t) => [t.id, t]));

// Ours → AI Proxy when a channel was not saved through this API (console, importer):
// identity where the vendor is the same, else the AI Proxy type that serves it.
const OURS_TO_AIPROXY: Record<number, number> = { 3: 4, 44: 43, 47: 49, 49: 17, 51: 12, 11: 24, 48: 18 };

export function aiproxyTypeOf(id: number): AiproxyType | undefined {
  return byId.get(id);
}

/**
 * The AI Proxy type FastGPT sees for a channel: the one it was saved with, while that still
 * maps to the channel's type; else derived. OpenAI-wire types with no AI Proxy twin
 * (resellers, OpenAI-compatible, Together, …) read as 1, AI Proxy's OpenAI adaptor, which
 * takes any base URL.
 */
export function toAiproxyType(ours: number, saved: number | null): number {
  if (saved !== null && byId.get(saved)?.ours === ours) return saved;
  const mapped = OURS_TO_AIPROXY[ours];
  if (mapped !== undefined) return mapped;
  const same = byId.get(ours);
  return same && same.ours === ours ? ours : 1;
}

/** `type_metas`: every AI Proxy type we serve, keyed by its id, in AI Proxy's shape. */
export function typeMetas(): Record<string, { name: string; keyHelp: string; defaultBaseUrl: string; readme: string }> {
  const known = new Set(channelTypes().map((t) => t.type));
  const out: Record<string, { name: string; keyHelp: string; defaultBaseUrl: string; readme: string }> = {};
  for (const t of AIPROXY_TYPES) {
    if (!known.has(t.ours)) continue;
    const p = providerFor(t.ours);
    out[String(t.id)] = {
      name: t.name,
      keyHelp: t.keyHelp ?? p.keyFormat ?? '',
      defaultBaseUrl: t.defaultBaseUrl ?? p.defaultBaseUrl,
      readme: `Served by Switchboard's ${p.name.en} adapter (channel type ${t.ours}).`,
    };
  }
  return out;
}

/** A key in AI Proxy's format → our key pool text and the channel config it carries. */
export function unpackKey(aiproxyType: number, key: string): { key: string; config: Record<string, string> } {
  const lines = key.split(/\r?\n/).map((k) => k.trim()).filter(Boolean);
  const config: Record<string, string> = {};
  const out = lines.map((line) => {
    const parts = line.split('|');
    switch (aiproxyType) {
      case 3:
      case 4:
        // key|api-version
        if (parts.length === 2) config.api_version = parts[1]!.trim();
        return parts[0]!.trim();
      case 33: {
        // region|ak|sk → AK|SK|region; region|apikey → a Bedrock API key with the region in config.
        config.region = parts[0]!.trim();
        if (parts.length === 3) return `${parts[1]!.trim()}|${parts[2]!.trim()}|${parts[0]!.trim()}`;
        if (parts.length === 2) return parts[1]!.trim();
        throw new KeyFormatError('AWS keys must be region|ak|sk or region|apikey.');
      }
      case 42: {
        // region|adcJSON (the JSON itself never contains a bare `|` at the top level we split on first)
        const bar = line.indexOf('|');
        if (bar > 0 && line.slice(bar + 1).trim().startsWith('{')) {
          config.region = line.slice(0, bar).trim();
          return line.slice(bar + 1).trim();
        }
        throw new KeyFormatError('Vertex AI keys must be region|service-account JSON.');
      }
      case 13:
        if (!line.startsWith('bce-v3/')) throw new KeyFormatError('Baidu v2 keys must be Qianfan v2 API keys (bce-v3/…); ak|sk pairs are not supported.');
        return line;
      case 27:
        // api_key|group_id: the group id is not needed by MiniMax's OpenAI-compatible API.
        return parts[0]!.trim();
      default:
        return line;
    }
  });
  return { key: out.join('\n'), config };
}

export class KeyFormatError extends Error {}
