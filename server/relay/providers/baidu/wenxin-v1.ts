// 15 Baidu ERNIE through the v1 wenxinworkshop API, what One API's Baidu channels use: key
// `AK|SK` → access_token (access-token.ts), then
//   POST {base}/rpc/2.0/ai_custom/v1/wenxinworkshop/chat/{endpoint}?access_token=…
// Model → endpoint as One API's relay/adaptor/baidu/adaptor.go (8df4a26) maps it; any other
// model name is taken as the endpoint itself, lower-cased (so a model_mapping to
// `completions_pro` works). Request/response: https://cloud.baidu.com/doc/WENXINWORKSHOP/s/clntwmv7t
import type { ChatChunk, ChatRequest, MeteredUsage } from '../../protocols/openai/types.ts';
import { ChunkWriter } from '../../protocols/shared/chunks.ts';
import { contentText } from '../../protocols/shared/content.ts';
import { VendorStreamError, vendorErrorMessage } from '../../protocols/shared/errors.ts';
import { nowSeconds, randomId } from '../../protocols/shared/ids.ts';
import { asRecord, asString, isRecord, tryParse } from '../../protocols/shared/json.ts';
import { plainCompletion, plainUsage } from '../../protocols/shared/usage.ts';
import type { ChannelTarget, Provider, UpstreamRequest } from '../types.ts';
import { baiduAccessToken, baiduKeyPair } from './access-token.ts';

export const BAIDU_V1_HOST = 'https://aip.baidubce.com';

const ENDPOINTS: Record<string, string> = {
  'ERNIE-4.0': 'completions_pro', 'ERNIE-Bot-4': 'completions_pro', 'ERNIE-Bot': 'completions', 'ERNIE-Bot-turbo': 'eb-instant',
  'ERNIE-Speed': 'ernie_speed', 'ERNIE-4.0-8K': 'completions_pro', 'ERNIE-3.5-8K': 'completions', 'ERNIE-3.5-8K-0205': 'ernie-3.5-8k-0205',
  'ERNIE-3.5-8K-1222': 'ernie-3.5-8k-1222', 'ERNIE-Bot-8K': 'ernie_bot_8k', 'ERNIE-3.5-4K-0205': 'ernie-3.5-4k-0205', 'ERNIE-Speed-8K': 'ernie_speed',
  'ERNIE-Speed-128K': 'ernie-speed-128k', 'ERNIE-Lite-8K-0922': 'eb-instant', 'ERNIE-Lite-8K-0308': 'ernie-lite-8k', 'ERNIE-Tiny-8K': 'ernie-tiny-8k',
  'BLOOMZ-7B': 'bloomz_7b1',
};

export function wenxinEndpoint(model: string): string {
  return ENDPOINTS[model] ?? model.toLowerCase();
}

function hostOf(target: ChannelTarget): string {
  const base = target.baseUrl.replace(/\/+$/, '');
  // The v2 (OpenAI-compatible) host is not this API.
  return !base || /qianfan\.baidubce\.com/.test(base) ? BAIDU_V1_HOST : base.replace(/\/rpc\/2\.0.*$/, '');
}

function toWenxin(req: ChatRequest): Record<string, unknown> {
  const system = req.messages.filter((m) => m.role === 'system' || m.role === 'developer').map((m) => contentText(m.content)).join('\n');
  const body: Record<string, unknown> = {
    messages: req.messages.filter((m) => m.role !== 'system' && m.role !== 'developer').map((m) => ({ role: m.role, content: contentText(m.content) })),
    stream: req.stream === true,
  };
  if (system) body.system = system;
  if (typeof req.temperature === 'number') body.temperature = req.temperature;
  if (typeof req.top_p === 'number') body.top_p = req.top_p;
  if (typeof req.frequency_penalty === 'number') body.penalty_score = req.frequency_penalty;
  const max = req.max_completion_tokens ?? req.max_tokens;
  if (typeof max === 'number') body.max_output_tokens = max;
  if (typeof req.user === 'string') body.user_id = req.user;
  return body;
}

function usageOf(u: unknown): MeteredUsage | null {
  if (!isRecord(u) || typeof u.prompt_tokens !== 'number') return null;
  return plainUsage(u.prompt_tokens, Number(u.completion_tokens ?? 0));
}

/** Baidu answers errors with HTTP 200 and `error_code` / `error_msg`. */
function errorOf(j: Record<string, unknown>): VendorStreamError | null {
  if (j.error_code === undefined || j.error_code === 0) return null;
  const code = String(j.error_code);
  const type = ['110', '111', '6', '14', '17', '18'].includes(code) ? 'authentication_error' : code === '336003' ? 'invalid_request_error' : 'upstream_error';
  return new VendorStreamError(`Baidu ERNIE: ${asString(j.error_msg) ?? 'error'} (${code})`, type, code);
}

export const wenxinV1: Provider = {
  id: 'baidu',
  types: [15],
  name: { en: 'Baidu ERNIE (v1, AK|SK)', zh: '百度文心（v1，AK|SK）' },
  defaultBaseUrl: BAIDU_V1_HOST,
  keyFormat: 'API Key|Secret Key',
  models: ['ERNIE-4.0-8K', 'ERNIE-3.5-8K', 'ERNIE-Speed-128K', 'ERNIE-Lite-8K-0308', 'ERNIE-Tiny-8K'],
  wire: 'native',
  url: (target, _endpoint, ctx) => `${hostOf(target)}/rpc/2.0/ai_custom/v1/wenxinworkshop/chat/${encodeURIComponent(wenxinEndpoint(ctx.model))}`,
  headers: () => ({}),
  async sign(req: UpstreamRequest, target: ChannelTarget): Promise<UpstreamRequest> {
    const pair = baiduKeyPair(target.key);
    if (!pair) throw new VendorStreamError('Baidu v1 key must be "API Key|Secret Key"', 'authentication_error');
    const token = await baiduAccessToken(hostOf(target), pair.ak, pair.sk);
    return { ...req, url: `${req.url}${req.url.includes('?') ? '&' : '?'}access_token=${encodeURIComponent(token)}` };
  },
  chat: {
    requestFromChat: (req) => toWenxin(req),
    responseToChat(json, model) {
      const j = asRecord(json);
      const err = errorOf(j);
      if (err) throw err;
      const usage = usageOf(j.usage);
      const choices = [{ index: 0, message: { role: 'assistant' as const, content: asString(j.result) ?? '' }, finish_reason: j.is_truncated === true ? 'length' : 'stop' }];
      return { response: plainCompletion(asString(j.id) ?? randomId('chatcmpl-'), typeof j.created === 'number' ? j.created : nowSeconds(), model, choices, usage), usage };
    },
    streamToChat(model) {
      let writer: ChunkWriter | null = null;
      let usage: MeteredUsage | null = null;
      return {
        push(event) {
          if (!event.data) return [];
          const j = asRecord(tryParse(event.data));
          const err = errorOf(j);
          if (err) throw err;
          writer ??= new ChunkWriter(asString(j.id) ?? randomId('chatcmpl-'), model, typeof j.created === 'number' ? j.created : nowSeconds());
          usage = usageOf(j.usage) ?? usage;
          const out: ChatChunk[] = [];
          const text = writer.text(asString(j.result) ?? '');
          if (text) out.push(text);
          if (j.is_end === true) out.push(writer.delta({}, j.is_truncated === true ? 'length' : 'stop'));
          return out;
        },
        end: () => (writer && usage ? [writer.usage(usage)] : []),
        usage: () => usage,
      };
    },
    errorMessage(status, body) {
      return vendorErrorMessage(errorOf(asRecord(tryParse(body))), status, body);
    },
  },
};
