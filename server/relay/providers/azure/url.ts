// Azure OpenAI URLs. Classic: {resource}/openai/deployments/{deployment}/{endpoint}?api-version=…
// The v1 API (api_version `v1` or `preview`): {resource}/openai/v1/{endpoint}, no deployment.
import type { ChannelTarget, Endpoint } from '../types.ts';

export const DEFAULT_API_VERSION = '2024-10-21';

export function azureUrl(target: ChannelTarget, endpoint: Endpoint, model: string): string {
  const version = target.config.api_version?.trim() || DEFAULT_API_VERSION;
  let base = target.baseUrl.replace(/\/+$/, '');
  // Operators paste whole endpoint URLs; keep only the resource (or the deployment path).
  const pastedDeployment = /^(.*\/openai\/deployments\/[^/?]+)/.exec(base)?.[1];
  if (pastedDeployment) return `${pastedDeployment}/${endpoint}?api-version=${encodeURIComponent(version)}`;
  base = base.replace(/\/openai(\/v1)?(\/.*)?$/, '');
  if (version === 'v1' || version === 'preview') {
    return `${base}/openai/v1/${endpoint}${version === 'preview' ? '?api-version=preview' : ''}`;
  }
  if (endpoint === 'models') return `${base}/openai/models?api-version=${encodeURIComponent(version)}`;
  const deployment = target.config.deployment?.trim() || model;
  return `${base}/openai/deployments/${encodeURIComponent(deployment)}/${endpoint}?api-version=${encodeURIComponent(version)}`;
}
