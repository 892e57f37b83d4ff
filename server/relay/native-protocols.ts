// Which channels take an inbound protocol's request unconverted: the ones whose provider
// declares it in `native` (server/relay/providers/types.ts). The core names no vendor.
// For the Responses API a channel's config field `responses_api` overrides the provider:
// "native" (the upstream serves /v1/responses, e.g. an OpenAI-compatible proxy that does;
// OpenAI-wire channels only) or "convert" (chat only).
import type { ChannelEntry } from '../state/types.ts';
import type { SurfaceName } from './protocols/types.ts';
import type { NativeProtocol } from './providers/types.ts';

/** The provider's declaration for `protocol` when this channel serves it natively for `upstreamModel`, else null. */
export function nativeProtocol(channel: ChannelEntry, protocol: SurfaceName, upstreamModel: string): NativeProtocol | null {
  if (protocol === 'responses') {
    const flag = channel.config.responses_api;
    if (flag === 'native') return channel.provider.wire === 'openai' ? channel.provider.native?.responses ?? {} : null;
    if (flag === 'convert') return null;
  }
  const declared = channel.provider.native?.[protocol];
  if (!declared) return null;
  return !declared.serves || declared.serves(channel.config, upstreamModel) ? declared : null;
}

export const speaksAnthropic = (channel: ChannelEntry, upstreamModel: string) => nativeProtocol(channel, 'anthropic', upstreamModel) !== null;
export const speaksGemini = (channel: ChannelEntry, upstreamModel: string) => nativeProtocol(channel, 'gemini', upstreamModel) !== null;
export const speaksResponses = (channel: ChannelEntry, upstreamModel = '') => nativeProtocol(channel, 'responses', upstreamModel) !== null;
