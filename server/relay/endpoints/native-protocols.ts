// Which channels speak an inbound protocol natively, so the client's bytes can go through
// unconverted. This is the one place the endpoints look at a channel's vendor.
//   Anthropic Messages: Anthropic channels, and Claude models on Vertex AI (rawPredict).
//   Gemini generateContent: Gemini channels, and Gemini models on Vertex AI.
//   OpenAI Responses: OpenAI channels, and Azure OpenAI channels on the v1 API (api_version
//     "v1" or "preview": classic deployment URLs have no /responses). Any channel can
//     override this with the config field `responses_api`: "native" (the upstream serves
//     /v1/responses, e.g. an OpenAI-compatible proxy that does) or "convert" (chat only).
import type { ChannelEntry } from '../../state/types.ts';
import { isClaude } from '../providers/vertex/url.ts';

export function speaksAnthropic(channel: ChannelEntry, upstreamModel: string): boolean {
  const id = channel.provider.id;
  return id === 'anthropic' || (id === 'vertex' && isClaude(upstreamModel));
}

export function speaksGemini(channel: ChannelEntry, upstreamModel: string): boolean {
  const id = channel.provider.id;
  return id === 'gemini' || (id === 'vertex' && !isClaude(upstreamModel));
}

export function speaksResponses(channel: ChannelEntry): boolean {
  const flag = channel.config.responses_api;
  if (flag === 'native') return channel.provider.wire === 'openai';
  if (flag === 'convert') return false;
  const id = channel.provider.id;
  return id === 'openai' || (id === 'azure' && /^(v1|preview)$/.test(channel.config.api_version?.trim() ?? ''));
}

/** Vertex AI takes the Anthropic body without `model`, with its own anthropic_version. */
export const onVertex = (channel: ChannelEntry) => channel.provider.id === 'vertex';
