// Vertex AI publisher-model URLs. Gemini lives under publishers/google (generateContent),
// Claude under publishers/anthropic (rawPredict, Anthropic's own wire format).
import type { ChannelTarget } from '../types.ts';

export function isClaude(model: string): boolean {
  return /^claude-/.test(model);
}

export function vertexRegion(target: ChannelTarget): string {
  return target.config.region?.trim() || 'us-central1';
}

export function vertexModelUrl(target: ChannelTarget, project: string, model: string, stream: boolean): string {
  const region = vertexRegion(target);
  const host = region === 'global' ? 'https://aiplatform.googleapis.com' : `https://${region}-aiplatform.googleapis.com`;
  const base = (target.baseUrl || host).replace(/\/+$/, '').replace(/\/v1(beta1)?$/, '');
  const claude = isClaude(model);
  const publisher = claude ? 'anthropic' : 'google';
  const method = claude ? (stream ? 'streamRawPredict' : 'rawPredict') : stream ? 'streamGenerateContent?alt=sse' : 'generateContent';
  return `${base}/v1/projects/${project}/locations/${region}/publishers/${publisher}/models/${model}:${method}`;
}
