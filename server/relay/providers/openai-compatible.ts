// Builds a Provider for any vendor that speaks OpenAI's wire format: it only declares
// URL and auth. Adding such a vendor is one small file calling this.
import type { ChatParamRules } from '../protocols/shared/params.ts';
import type { ConfigField, Endpoint, Provider } from './types.ts';
import { joinUrl } from './url.ts';

export interface OpenAICompatibleSpec {
  id: string;
  types: number[];
  name: { en: string; zh: string };
  defaultBaseUrl: string;
  models: string[];
  /** Version segment appended when the base URL has none. Default `/v1`. */
  prefix?: string;
  keyFormat?: string;
  configFields?: ConfigField[];
  /** Endpoint paths that differ from OpenAI's. */
  paths?: Partial<Record<Endpoint, string>>;
  /** Override the base URL from config (e.g. Cloudflare's account id). */
  baseUrl?: (base: string, config: Record<string, string>) => string;
  extraHeaders?: Record<string, string>;
  /** Headers that depend on the channel's config (e.g. Qianfan's optional appid). */
  extraHeadersFrom?: (config: Record<string, string>) => Record<string, string>;
  /** Inbound protocols served natively (e.g. OpenAI's own /v1/responses). */
  native?: Provider['native'];
  balance?: Provider['balance'];
  /** Parameter limits of the vendor's chat API. */
  params?: ChatParamRules;
}

export function openAICompatible(spec: OpenAICompatibleSpec): Provider {
  const prefix = spec.prefix ?? '/v1';
  return {
    id: spec.id,
    types: spec.types,
    name: spec.name,
    defaultBaseUrl: spec.defaultBaseUrl,
    keyFormat: spec.keyFormat,
    configFields: spec.configFields,
    models: spec.models,
    wire: 'openai',
    native: spec.native,
    balance: spec.balance,
    params: spec.params,
    url(target, endpoint) {
      const base = spec.baseUrl ? spec.baseUrl(target.baseUrl, target.config) : target.baseUrl;
      return joinUrl(base, prefix, spec.paths?.[endpoint] ?? `/${endpoint}`);
    },
    headers(target) {
      const extra = { ...spec.extraHeaders, ...spec.extraHeadersFrom?.(target.config) };
      return target.key ? { authorization: `Bearer ${target.key}`, ...extra } : extra;
    },
  };
}
