// 33 AWS Bedrock: the Converse API (one request shape for every model family), signed
// with SigV4 from an `AK|SK|region` key, or a Bedrock API key sent as a bearer token.
import type { Provider } from '../types.ts';
import { toConverseRequest } from './convert-request.ts';
import { fromConverseResponse } from './convert-response.ts';
import { converseStream } from './convert-stream.ts';
import { bedrockAuth } from './credentials.ts';
import { bedrockError } from './errors.ts';
import { createAwsEventStreamDecoder } from './eventstream.ts';
import { signSigV4 } from './sigv4.ts';

export { createAwsEventStreamDecoder, decodeAwsEventStream } from './eventstream.ts';

const bedrock: Provider = {
  id: 'bedrock',
  types: [33],
  name: { en: 'AWS Bedrock', zh: 'AWS Bedrock' },
  // Derived from the region when the channel has no base URL (VPC endpoints can set one).
  defaultBaseUrl: '',
  keyFormat: 'AK|SK|region',
  configFields: [{ name: 'region', label: { en: 'Region (when not in the key)', zh: '区域（密钥中未写明时）' }, placeholder: 'us-east-1' }],
  models: [
    'anthropic.claude-sonnet-4-5-20250929-v1:0', 'anthropic.claude-opus-4-1-20250805-v1:0', 'anthropic.claude-sonnet-4-20250514-v1:0',
    'anthropic.claude-3-7-sonnet-20250219-v1:0', 'anthropic.claude-3-5-haiku-20241022-v1:0', 'anthropic.claude-haiku-4-5-20251001-v1:0',
    'amazon.nova-pro-v1:0', 'amazon.nova-lite-v1:0', 'amazon.nova-micro-v1:0', 'meta.llama3-3-70b-instruct-v1:0',
    'mistral.mistral-large-2407-v1:0', 'openai.gpt-oss-120b-1:0', 'us.deepseek.r1-v1:0',
  ],
  wire: 'native',
  streamDecoder: createAwsEventStreamDecoder,
  url(target, endpoint, ctx) {
    const { region } = bedrockAuth(target);
    const base = (target.baseUrl || `https://bedrock-runtime.${region}.amazonaws.com`).replace(/\/+$/, '');
    // Model ids and inference-profile ARNs contain ':' and '/', so the id is one encoded segment.
    return `${base}/model/${encodeURIComponent(ctx.model)}/${ctx.stream ? 'converse-stream' : 'converse'}`;
  },
  headers(target, ctx) {
    const auth = bedrockAuth(target);
    const h: Record<string, string> = { 'content-type': 'application/json', accept: ctx.stream ? 'application/vnd.amazon.eventstream' : 'application/json' };
    if (auth.kind === 'bearer') h.authorization = `Bearer ${auth.token}`;
    return h;
  },
  async sign(req, target) {
    const auth = bedrockAuth(target);
    if (auth.kind !== 'sigv4') return req;
    return signSigV4(req, auth.credentials, { service: 'bedrock', region: auth.region });
  },
  chat: {
    requestFromChat: (req) => toConverseRequest(req),
    responseToChat: fromConverseResponse,
    streamToChat: converseStream,
    errorMessage: bedrockError,
  },
};

export default bedrock;
