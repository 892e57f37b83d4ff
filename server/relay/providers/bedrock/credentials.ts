// Bedrock keys: `AK|SK|region` (optionally `AK|SK|region|sessionToken`) for SigV4, or a
// Bedrock API key sent as a bearer token. The region may also come from config.
import type { ChannelTarget } from '../types.ts';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export type BedrockAuth = { kind: 'sigv4'; credentials: AwsCredentials; region: string } | { kind: 'bearer'; token: string; region: string };

export const DEFAULT_REGION = 'us-east-1';

export function bedrockAuth(target: ChannelTarget): BedrockAuth {
  const parts = target.key.split('|').map((s) => s.trim());
  const configRegion = target.config.region?.trim();
  if (parts.length < 2) return { kind: 'bearer', token: target.key.trim(), region: configRegion || DEFAULT_REGION };
  const [accessKeyId = '', secretAccessKey = '', region, sessionToken] = parts;
  return {
    kind: 'sigv4',
    credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) },
    region: region || configRegion || DEFAULT_REGION,
  };
}
