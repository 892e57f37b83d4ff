// One channel test: a small real request for one model, shaped for the model's kind
// (chat streamed or not, embeddings, images, speech, transcription), through the same
// adapters and per-channel overrides as relayed calls. Never touches billing.
import type { Gateway } from '../context.ts';
import { chatResponseOf, chatUpstream, chunkSource } from '../relay/chat-upstream.ts';
import type { ChatRequest } from '../relay/protocols/openai/types.ts';
import type { ChannelTarget, Endpoint, UpstreamRequest } from '../relay/providers/types.ts';
import { pickKey } from '../relay/select-channel.ts';
import { sendUpstream, upstreamMessage } from '../relay/upstream.ts';
import { routingSettings } from '../routing/settings.ts';
import type { ChannelEntry } from '../state/types.ts';

import type { TestKind, TestResult } from '../routing/test-runs.ts';

export type { TestKind, TestResult };

/** The kind of request a model needs, from its name. */
export function kindOf(model: string): TestKind {
  const m = model.toLowerCase();
  if (/embed|^bge-|^e5-|^m3e/.test(m)) return 'embeddings';
  if (/whisper|transcribe|sensevoice/.test(m)) return 'transcription';
  if (/tts|speech/.test(m)) return 'speech';
  if (/dall-e|gpt-image|flux|stable-diffusion|sdxl|kolors|cogview|wanx|seedream|imagen/.test(m)) return 'images';
  return 'chat';
}

const ENDPOINT: Record<Exclude<TestKind, 'chat'>, Endpoint> = {
  embeddings: 'embeddings', images: 'images/generations', speech: 'audio/speech', transcription: 'audio/transcriptions',
};

export async function testChannel(gw: Gateway, channel: ChannelEntry, model: string, opts: { stream?: boolean; prompt?: string; kind?: TestKind } = {}): Promise<TestResult> {
  const s = routingSettings(gw.store);
  const kind = opts.kind ?? kindOf(model);
  const stream = kind === 'chat' && opts.stream === true;
  const started = performance.now();
  const result = (status: number | null, upstreamModel: string | null, error: string | null): TestResult => ({
    channelId: channel.id, model, kind, stream, success: error === null, status, latencyMs: Math.round(performance.now() - started),
    upstreamModel, error: error === null ? null : gw.secrets.scrub(error).slice(0, 1000),
  });
  // A test may use a cooling key (it is one request), never a disabled one.
  const key = pickKey(channel, Number.POSITIVE_INFINITY, undefined, s.keyRotation);
  if (!key) return result(null, null, 'The channel has no enabled key.');
  const upstreamModel = channel.mapping[model] ?? model;
  const target: ChannelTarget = { id: channel.id, type: channel.type, baseUrl: channel.baseUrl, key: key.key, config: channel.config };
  let status: number | null = null;
  try {
    const req = kind === 'chat'
      ? await chatUpstream(channel, target, chatBody(model, opts.prompt ?? s.testPrompt, stream), null, upstreamModel)
      : await otherUpstream(channel, target, kind, upstreamModel, opts.prompt ?? s.testPrompt);
    const attempt = await sendUpstream(req, undefined, gw.config.firstByteTimeoutMs);
    const deadline = setTimeout(() => attempt.abort('test timeout'), gw.config.firstByteTimeoutMs + gw.config.idleTimeoutMs);
    try {
      const res = attempt.response;
      status = res.status;
      if (!res.ok) {
        const text = await res.text().catch(() => '');
        return result(res.status, null, channel.provider.chat?.errorMessage?.(res.status, text).message ?? upstreamMessage(res.status, text));
      }
      return result(res.status, await readAnswer(channel, kind, stream, res, upstreamModel), null);
    } finally {
      clearTimeout(deadline);
    }
  } catch (e) {
    return result(status, null, (e as Error).message);
  }
}

const chatBody = (model: string, prompt: string, stream: boolean): ChatRequest =>
  ({ model, messages: [{ role: 'user', content: prompt }], ...(stream ? { stream: true } : {}) }) as ChatRequest;

async function otherUpstream(channel: ChannelEntry, target: ChannelTarget, kind: Exclude<TestKind, 'chat'>, model: string, prompt: string): Promise<UpstreamRequest> {
  const p = channel.provider;
  if (p.wire !== 'openai') throw new Error(`Channel type ${channel.type} (${p.id}) has no ${kind} test.`);
  const ctx = { model, stream: false };
  const auth = { ...channel.headers, ...(await p.headers(target, ctx)) };
  const url = p.url(target, ENDPOINT[kind], ctx);
  if (kind === 'transcription') {
    const form = new FormData();
    form.set('model', model);
    form.set('file', new Blob([silentWav()], { type: 'audio/wav' }), 'test.wav');
    const encoded = new Response(form);
    return { url, method: 'POST', headers: { ...auth, 'content-type': encoded.headers.get('content-type')! }, body: new Uint8Array(await encoded.arrayBuffer()) };
  }
  const body = kind === 'embeddings' ? { model, input: prompt }
    : kind === 'images' ? { model, prompt, n: 1 }
    : { model, input: prompt, voice: 'alloy' };
  return { url, method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify(body) };
}

/** Check the answer has the expected shape; returns the model that answered. */
async function readAnswer(channel: ChannelEntry, kind: TestKind, stream: boolean, res: Response, model: string): Promise<string | null> {
  if (kind === 'speech') {
    if ((await res.arrayBuffer()).byteLength === 0) throw new Error('The upstream returned empty audio.');
    return model;
  }
  if (kind === 'chat' && stream) {
    const source = chunkSource(channel, model);
    const chunks = [];
    const reader = res.body!.getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(...source.push(r.value));
    chunks.push(...source.end());
    if (!chunks.length) throw new Error('The upstream stream carried no chunk.');
    return chunks.find((c) => c.model)?.model ?? model;
  }
  const json = await res.json().catch(() => { throw new Error('The upstream returned a response that is not JSON.'); }) as Record<string, unknown>;
  if (kind === 'chat') return chatResponseOf(channel, json, model).response.model ?? model;
  if (kind === 'transcription') {
    if (typeof json.text !== 'string') throw new Error('The upstream transcription has no text.');
    return model;
  }
  if (!Array.isArray(json.data)) throw new Error(`The upstream ${kind} answer has no data.`);
  return typeof json.model === 'string' ? json.model : model;
}

/** 0.1 s of 16 kHz mono 16-bit silence. */
function silentWav(): Uint8Array<ArrayBuffer> {
  const samples = 1600;
  const buf = new DataView(new ArrayBuffer(44 + samples * 2));
  const ascii = (at: number, s: string) => { for (let i = 0; i < s.length; i++) buf.setUint8(at + i, s.charCodeAt(i)); };
  ascii(0, 'RIFF'); buf.setUint32(4, 36 + samples * 2, true); ascii(8, 'WAVE');
  ascii(12, 'fmt '); buf.setUint32(16, 16, true); buf.setUint16(20, 1, true); buf.setUint16(22, 1, true);
  buf.setUint32(24, 16000, true); buf.setUint32(28, 32000, true); buf.setUint16(32, 2, true); buf.setUint16(34, 16, true);
  ascii(36, 'data'); buf.setUint32(40, samples * 2, true);
  return new Uint8Array(buf.buffer);
}
