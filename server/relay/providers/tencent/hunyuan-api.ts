// 23 Tencent Hunyuan through Tencent Cloud API 3.0 (hunyuan.tencentcloudapi.com, Action
// ChatCompletions, Version 2023-09-01), signed with TC3-HMAC-SHA256 from a `SecretId|SecretKey`
// pair: what One API's Tencent channels use (key `AppId|SecretId|SecretKey`). Request and
// response shapes from https://cloud.tencent.com/document/api/1729/105701. The API answers
// HTTP 200 even for errors, with `Response.Error`.
import type { ChatChunk, ChatRequest, MeteredUsage } from '../../protocols/openai/types.ts';
import { ChunkWriter } from '../../protocols/shared/chunks.ts';
import { contentText } from '../../protocols/shared/content.ts';
import { VendorStreamError, vendorErrorMessage } from '../../protocols/shared/errors.ts';
import { nowSeconds, randomId } from '../../protocols/shared/ids.ts';
import { asArray, asRecord, asString, isRecord, tryParse } from '../../protocols/shared/json.ts';
import { plainCompletion, plainUsage } from '../../protocols/shared/usage.ts';
import type { ChannelTarget, Provider, UpstreamRequest } from '../types.ts';
import { tc3Authorization, tencentSecrets } from './tc3.ts';

export const HUNYUAN_API_HOST = 'https://hunyuan.tencentcloudapi.com';
const ACTION = 'ChatCompletions';
const VERSION = '2023-09-01';
const CONTENT_TYPE = 'application/json';

function toHunyuan(req: ChatRequest): Record<string, unknown> {
  const body: Record<string, unknown> = {
    Model: req.model,
    Messages: req.messages.map((m) => ({ Role: m.role === 'developer' ? 'system' : m.role, Content: contentText(m.content) })),
    Stream: req.stream === true,
  };
  if (typeof req.temperature === 'number') body.Temperature = req.temperature;
  if (typeof req.top_p === 'number') body.TopP = req.top_p;
  return body;
}

function usageOf(u: unknown): MeteredUsage | null {
  if (!isRecord(u) || typeof u.PromptTokens !== 'number') return null;
  return plainUsage(u.PromptTokens, Number(u.CompletionTokens ?? 0));
}

function errorOf(r: Record<string, unknown>): VendorStreamError | null {
  const e = r.Error;
  if (!isRecord(e)) return null;
  const code = asString(e.Code) ?? 'UnknownError';
  const type = code.startsWith('AuthFailure') ? 'authentication_error' : code.startsWith('InvalidParameter') ? 'invalid_request_error' : 'upstream_error';
  return new VendorStreamError(`Tencent Hunyuan: ${asString(e.Message) ?? code} (${code})`, type, code);
}

export const hunyuanApi: Provider = {
  id: 'tencent',
  types: [23],
  name: { en: 'Tencent Hunyuan (API 3.0, TC3 signed)', zh: '腾讯混元（API 3.0，TC3 签名）' },
  defaultBaseUrl: HUNYUAN_API_HOST,
  keyFormat: 'AppId|SecretId|SecretKey',
  models: ['hunyuan-turbos-latest', 'hunyuan-t1-latest', 'hunyuan-large', 'hunyuan-standard', 'hunyuan-lite'],
  wire: 'native',
  url(target: ChannelTarget) {
    const base = target.baseUrl.replace(/\/+$/, '');
    // The OpenAI-compatible host is not this API; One API's channels usually leave the base empty.
    return `${/api\.hunyuan\.cloud\.tencent\.com/.test(base) || !base ? HUNYUAN_API_HOST : base}/`;
  },
  headers: () => ({ 'content-type': CONTENT_TYPE, 'x-tc-action': ACTION, 'x-tc-version': VERSION }),
  sign(req: UpstreamRequest, target: ChannelTarget): UpstreamRequest {
    const secrets = tencentSecrets(target.key);
    if (!secrets) throw new VendorStreamError('Tencent key must be AppId|SecretId|SecretKey', 'authentication_error');
    const timestamp = nowSeconds();
    const body = typeof req.body === 'string' ? req.body : new TextDecoder().decode(req.body ?? new Uint8Array());
    const host = new URL(req.url).host;
    const authorization = tc3Authorization({ ...secrets, service: 'hunyuan', host, action: ACTION, body, timestamp, contentType: CONTENT_TYPE });
    const region = target.config.region?.trim();
    return {
      ...req,
      body,
      headers: { ...req.headers, 'content-type': CONTENT_TYPE, 'x-tc-action': ACTION, 'x-tc-version': VERSION, 'x-tc-timestamp': String(timestamp), ...(region ? { 'x-tc-region': region } : {}), authorization },
    };
  },
  chat: {
    requestFromChat: (req) => toHunyuan(req),
    responseToChat(json, model) {
      const r = asRecord(asRecord(json).Response);
      const err = errorOf(r);
      if (err) throw err;
      const choices = asArray(r.Choices).map((c, index) => {
        const ch = asRecord(c);
        const m = asRecord(ch.Message);
        return { index, message: { role: 'assistant' as const, content: asString(m.Content) ?? '' }, finish_reason: asString(ch.FinishReason) || 'stop' };
      });
      const usage = usageOf(r.Usage);
      return { response: plainCompletion(asString(r.Id) ?? randomId('chatcmpl-'), typeof r.Created === 'number' ? r.Created : nowSeconds(), model, choices, usage), usage };
    },
    streamToChat(model) {
      let writer: ChunkWriter | null = null;
      let usage: MeteredUsage | null = null;
      return {
        push(event) {
          if (!event.data || event.data === '[DONE]') return [];
          const j = asRecord(tryParse(event.data));
          // A signature or parameter error on a streamed call comes back as one JSON answer.
          const err = errorOf(isRecord(j.Response) ? j.Response : j);
          if (err) throw err;
          writer ??= new ChunkWriter(asString(j.Id) ?? randomId('chatcmpl-'), model, typeof j.Created === 'number' ? j.Created : nowSeconds());
          usage = usageOf(j.Usage) ?? usage;
          const out: ChatChunk[] = [];
          for (const c of asArray(j.Choices)) {
            const ch = asRecord(c);
            const d = asRecord(ch.Delta);
            const text = writer.text(asString(d.Content) ?? '');
            const finish = asString(ch.FinishReason) || null;
            if (text) out.push(text);
            if (finish) out.push(writer.delta({}, finish));
          }
          return out;
        },
        end() {
          return writer && usage ? [writer.usage(usage)] : [];
        },
        usage: () => usage,
      };
    },
    errorMessage(status, body) {
      return vendorErrorMessage(errorOf(asRecord(asRecord(tryParse(body)).Response)), status, body);
    },
  },
};
