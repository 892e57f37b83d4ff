// One relayed call from arrival to its log row. Handlers fill it in as they go; `finish`
// settles the reservation at the exact cost and queues the log row, exactly once. Only
// the pipeline (pipeline.ts) calls it, with the outcome an endpoint returned.
import type { Reservation } from '../billing/accounts.ts';
import { costOf, type PriceEntry } from '../billing/pricing.ts';
import type { Gateway } from '../context.ts';
import type { TokenHold } from '../limits/index.ts';
import type { AffinityOutcome } from '../routing/affinity.ts';
import { BodyCapture } from '../logs/capture.ts';
import type { ChannelEntry } from '../state/types.ts';
import type { KeyHolder } from './auth.ts';
import { errorBody, type RelayError } from './protocols/openai/errors.ts';
import type { Outcome } from './outcome.ts';
import { boundedUsage, ZERO_USAGE } from './protocols/openai/types.ts';

export interface AttemptRecord {
  channel_id: number;
  key_id?: number;
  status: number;
  error?: string;
  ms: number;
}

/** Every relay response carries the gateway's own time (upstream time excluded; see markResponseReady). */
export const OVERHEAD_HEADER = 'x-switchboard-overhead-ms';

let seq = 0;
const node = Math.random().toString(36).slice(2, 6);

/** Sortable, unique request id: time, process tag, counter. */
export function newRequestId(): string {
  seq = (seq + 1) % 1_679_616;
  return `req_${Date.now().toString(36)}${node}${seq.toString(36).padStart(4, '0')}`;
}

export class Call {
  readonly requestId = newRequestId();
  readonly startedAt = new Date();
  readonly t0 = performance.now();
  model = '';
  upstreamModel: string | null = null;
  stream = false;
  principal: KeyHolder | null = null;
  channel: ChannelEntry | null = null;
  private listPrice: PriceEntry | null = null;
  /** The price the call is billed at: the serving channel's own price for the model, else the list (or fallback) price. */
  get price(): PriceEntry | null { return this.channel?.prices.get(this.model) ?? this.listPrice; }
  set price(p: PriceEntry | null) { this.listPrice = p; }
  multiplierPpm = 1_000_000;
  reservation: Reservation | null = null;
  /** Admitted with no price at all (ADMIN_KEY only): logged as unpriced unless its channel has a price. */
  unpriced = false;
  /** Tokens taken from TPM windows at admission, corrected at finish. */
  tokenHold: TokenHold | null = null;
  attempts: AttemptRecord[] = [];
  /** The conversation for cache affinity (server/relay/conversation.ts); null: none known or not applicable. */
  conversation: string | null = null;
  /** How cache affinity went for this call; null when it did not apply. */
  affinity: AffinityOutcome | null = null;
  /** performance.now() marks, for latency, time to first token and gateway overhead. */
  upstreamStart = 0;
  upstreamHeaders = 0;
  upstreamEnd = 0;
  firstByte = 0;
  /** Gateway time before the upstream request plus after its answer, in µs. */
  overheadUs = 0;
  /** Body capture, when the log settings switch it on for this key or model. */
  capture: BodyCapture | null = null;
  /** Resolves once the settled call is in the local journal (null: no journal). Awaited before the response ends. */
  durable: Promise<void> | null = null;
  private announced = false;
  private done = false;
  /** Streams waiting for the pipeline to settle the outcome they reported (see settled()). */
  private waiters: Array<() => void> | null = null;
  /** Gives back the key's concurrency slot (limits/concurrency.ts) when the call settles. */
  releaseSlot: (() => void) | null = null;

  constructor(
    readonly endpoint: string,
    readonly clientIp: string | null,
    readonly userAgent: string | null,
  ) {}

  /** Record gateway overhead once the response is handed to the client. */
  markResponseReady(): number {
    const now = performance.now();
    const after = this.upstreamEnd ? now - this.upstreamEnd : this.upstreamHeaders ? now - this.upstreamHeaders : 0;
    const before = this.upstreamStart ? this.upstreamStart - this.t0 : now - this.t0;
    this.overheadUs = Math.round((before + after) * 1000);
    return this.overheadUs;
  }

  /**
   * Once per call, when its first upstream request is built (key and model known): start
   * body capture if enabled and tell live subscribers. Costs two Set probes and a boolean
   * check when capture is off and nobody watches.
   */
  announce(gw: Gateway, request: Request, raw: Uint8Array): void {
    if (this.announced) return;
    this.announced = true;
    const p = this.principal;
    this.capture = BodyCapture.start(gw.logSettings, p?.key.id, this.model, request, raw);
    if (gw.live.active) {
      gw.live.emit({
        type: 'call.started', requestId: this.requestId, at: this.startedAt, userId: p?.user.id ?? null, keyId: p?.key.id ?? null,
        endpoint: this.endpoint, model: this.model, stream: this.stream,
      });
    }
  }

  /** The request id and overhead headers of a response handed over now. */
  responseHeaders(): Record<string, string> {
    const overhead = this.markResponseReady();
    return { 'x-request-id': this.requestId, [OVERHEAD_HEADER]: (overhead / 1000).toFixed(3) };
  }

  /** Set the overhead header on a response built without it (error responses). */
  withOverhead(res: Response): Response {
    if (!res.headers.has(OVERHEAD_HEADER)) res.headers.set(OVERHEAD_HEADER, (this.overheadUs / 1000).toFixed(3));
    return res;
  }

  /**
   * Resolves once the call is settled and its log row journalled. A stream reports its
   * outcome to the pipeline and waits on this before sending its last bytes.
   */
  settled(): Promise<void> {
    if (this.done) return this.durable ?? Promise.resolve();
    return new Promise<void>((resolve) => (this.waiters ??= []).push(resolve)).then(() => this.durable ?? undefined);
  }

  /**
   * Settle and log, exactly once. Token-priced calls carry `usage`; endpoints billed in
   * other units (images, audio seconds, characters, searches) carry the exact `cost` they
   * computed with server/billing/pricing.ts, plus whatever token usage they know.
   */
  finish(gw: Gateway, outcome: Outcome): void {
    if (this.done) return;
    this.done = true;
    this.releaseSlot?.();
    const usage = outcome.usage ? boundedUsage(outcome.usage) : ZERO_USAGE;
    // Whatever reaches call_logs, live events and exports passes the secret scrubber.
    const error = outcome.error ? gw.secrets.scrubError(outcome.error) : null;
    for (const a of this.attempts) if (a.error) a.error = gw.secrets.scrub(a.error);
    const cost = outcome.cost ?? (this.price && outcome.usage ? costOf(usage, this.price, this.multiplierPpm) : 0n);
    if (this.reservation) gw.accounts.settle(this.reservation, cost);
    // What the upstream charged the operator: the serving channel's cost price, on the same usage.
    const costPrice = this.channel && outcome.usage ? (this.channel.costPrices.get(this.model) ?? this.channel.costPrices.get('*')) : undefined;
    const upstreamCost = costPrice ? costOf(usage, costPrice) : null;
    if (this.tokenHold) gw.limiter.settle(this.tokenHold, usage.input + usage.cacheRead + usage.cacheWrite + usage.output);
    const end = performance.now();
    const p = this.principal;
    this.durable = gw.writer.push({
      userId: p?.user.id ?? null,
      keyId: p?.key.id ?? null,
      channelId: this.channel?.id ?? null,
      cost,
      bodies: this.capture?.finish(error ? errorBody(error.message, error.type, error.code) : null),
      log: {
        request_id: this.requestId,
        created_at: this.startedAt,
        user_id: p?.user.id ?? null,
        key_id: p?.key.id ?? null,
        channel_id: this.channel?.id ?? null,
        attempts: this.attempts,
        endpoint: this.endpoint,
        model: this.model,
        upstream_model: this.upstreamModel,
        stream: this.stream,
        status: outcome.status,
        error_type: error?.code ?? error?.type ?? null,
        error_message: error?.message?.slice(0, 2000) ?? null,
        prompt_tokens: usage.input + usage.cacheRead + usage.cacheWrite,
        completion_tokens: usage.output,
        cached_tokens: usage.cacheRead,
        cache_write_tokens: usage.cacheWrite,
        reasoning_tokens: usage.reasoning,
        cost,
        latency_ms: Math.round(end - this.t0),
        ttft_ms: this.firstByte ? Math.round(this.firstByte - this.t0) : null,
        overhead_us: this.overheadUs || null,
        client_ip: this.clientIp,
        user_agent: this.userAgent?.slice(0, 300) ?? null,
        estimated: outcome.estimated ?? false,
        unpriced: this.unpriced && this.price === null,
        affinity: this.affinity,
        upstream_cost: upstreamCost,
      },
    });
    const waiters = this.waiters;
    this.waiters = null;
    if (waiters) for (const wake of waiters) wake();
  }
}
