// POST /v1/audio/transcriptions and /v1/audio/translations (multipart upload). Billing:
//   1. per second of audio (stt_per_minute) when the upstream reports the duration
//      (`duration` in verbose_json, or usage {type:"duration", seconds});
//   2. else per second from the uploaded file's header when it is a WAV;
//   3. else by the tokens the upstream reports (gpt-4o-transcribe: usage {type:"tokens"});
//   4. else nothing is known: logged as estimated at the per-request price.
// A model without stt_per_minute skips 1–2.
import { readBounded } from '../protocols/shared/upstream-bounds.ts';
import { sttCost } from '../../billing/unit-pricing.ts';
import type { Call } from '../call.ts';
import { badRequest } from '../protocols/openai/errors.ts';
import type { RelayEndpoint } from '../pipeline.ts';
import { ZERO_USAGE } from '../protocols/openai/types.ts';
import { asRecord, count, tryParse } from '../protocols/shared/json.ts';
import { type MultipartBody, multipartBodyFor, parseMultipart, requiredFile, requiredText, textField } from './multipart.ts';
import { type Billing, passesBytes } from './openai-json.ts';
import { bytesResponse } from './respond.ts';
import { upstreamRequest } from './upstream-request.ts';
import { wavDurationMs } from './wav.ts';

/** Lowest bitrate worth assuming for compressed audio (16 kbit/s): bounds the duration a reservation covers. */
const MIN_BYTES_PER_SECOND = 2_000;

interface SttCall {
  body: MultipartBody;
  model: string;
  fileBytes: number;
  wavMs: number | null;
}

function reportedMs(a: Record<string, unknown>): number | null {
  if (typeof a.duration === 'number') return a.duration * 1000;
  const u = asRecord(a.usage);
  return u.type === 'duration' && typeof u.seconds === 'number' ? u.seconds * 1000 : null;
}

function bill(answer: Record<string, unknown>, req: SttCall, call: Call): Billing {
  const u = asRecord(answer.usage);
  const usage = u.type === 'tokens' ? { ...ZERO_USAGE, input: count(u.input_tokens), output: count(u.output_tokens) } : null;
  const ms = reportedMs(answer) ?? req.wavMs;
  const cost = ms !== null && call.price ? sttCost(ms, call.price, call.multiplierPpm) : null;
  if (cost !== null) return { usage, cost };
  return usage ? { usage } : { usage: ZERO_USAGE, estimated: true };
}

function sttEndpoint(name: 'audio/transcriptions' | 'audio/translations'): RelayEndpoint<SttCall> {
  return {
    name,
    async parse(raw, request) {
      const body = await parseMultipart(raw, request);
      const file = requiredFile(body.form, 'file');
      if (textField(body.form, 'stream') === 'true') throw badRequest('stream: streamed transcription is not supported by this gateway.', 'invalid_request');
      const bytes = new Uint8Array(await file.arrayBuffer());
      return { body, model: requiredText(body.form, 'model'), fileBytes: bytes.byteLength, wavMs: wavDurationMs(bytes) };
    },
    model: (req) => req.model,
    stream: () => false,
    supports: passesBytes,
    reservation(req, price, ppm) {
      const cost = sttCost(req.wavMs ?? (req.fileBytes / MIN_BYTES_PER_SECOND) * 1000, price, ppm);
      return cost !== null ? { amount: cost } : { promptTokens: 0, maxTokens: null };
    },
    async upstream({ channel, target, raw, req, upstreamModel }) {
      const { bytes, contentType } = await multipartBodyFor(raw, req.body, upstreamModel);
      return upstreamRequest(channel, target, { endpoint: name, model: upstreamModel, stream: false, body: bytes, contentType });
    },
    async respond({ gw, call, req }, attempt) {
      // text, srt and vtt answers are not JSON: they go back as they are, billed from the upload.
      const contentType = attempt.response.headers.get('content-type') ?? 'application/json';
      const bytes = await readBounded(attempt.response, gw.config.maxUpstreamBodyBytes);
      call.upstreamEnd = performance.now();
      call.firstByte = call.upstreamEnd;
      const answer = /json/i.test(contentType) ? asRecord(tryParse(new TextDecoder().decode(bytes))) : {};
      const billing = bill(answer, req, call);
      return { response: bytesResponse(call, bytes, contentType), outcome: { status: 200, ...billing } };
    },
  };
}

export const transcriptionsEndpoint = sttEndpoint('audio/transcriptions');
export const translationsEndpoint = sttEndpoint('audio/translations');
