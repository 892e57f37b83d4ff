// Per-key and per-user RPM/TPM over shared sliding windows. A request whose key and user
// have no limits costs nothing here; a limited one costs one round trip to the counter
// (Postgres or Redis), which is what makes the limit hold across instances exactly.
// TPM takes the prompt estimate up front and is corrected by the actual tokens at finish.
import { DatabaseUnavailable } from '../../db/health.ts';
import type { Logger } from '../logger.ts';
import type { KeyHolder } from '../state/types.ts';
import { RelayError } from '../relay/protocols/openai/errors.ts';
import type { Counter, Take, TakeResult } from './counter.ts';
import { rateLimitHeaders } from './headers.ts';

/** Tokens taken from TPM windows at admission, to be corrected when the call ends. */
export interface TokenHold {
  subjects: string[];
  taken: number;
}

export type LimitKind = 'requests' | 'tokens';

export interface LimitedTake extends Take {
  kind: LimitKind;
}

export class Limiter {
  constructor(
    private readonly counter: Counter,
    private readonly log: Logger,
  ) {}

  /** Throws 429 when a window is full; returns what to correct at finish (null: no TPM limit). */
  async admit(p: KeyHolder, promptTokens: number): Promise<TokenHold | null> {
    const items = takesFor(p, promptTokens);
    if (!items.length) return null;
    let result: TakeResult;
    try {
      result = await this.counter.take(items);
    } catch (error) {
      // Counters in Postgres: the database is down, so is everything that needs it (a 503 upstream of here).
      if (error instanceof DatabaseUnavailable) throw error;
      // Limits protect upstream capacity, not money: an unreachable Redis lets calls through.
      this.log.error('rate-limit counter unavailable; request let through', { error });
      return null;
    }
    if (!result.allowed) throw tooMany(items, result);
    const tpm = items.filter((i) => i.kind === 'tokens');
    return tpm.length ? { subjects: tpm.map((i) => i.subject), taken: promptTokens } : null;
  }

  /** The call used `tokens` in all: move the TPM windows from the estimate to that. */
  settle(hold: TokenHold, tokens: number): void {
    const delta = tokens - hold.taken;
    if (delta === 0) return;
    this.counter.add(hold.subjects, delta).catch((error) => this.log.warn('rate-limit correction failed', { error }));
  }

  close(): Promise<void> {
    return this.counter.close();
  }
}

export function takesFor(p: KeyHolder, promptTokens: number): LimitedTake[] {
  const out: LimitedTake[] = [];
  const add = (owner: string, rpm: number | null, tpm: number | null) => {
    if (rpm) out.push({ subject: `${owner}:rpm`, limit: rpm, amount: 1, kind: 'requests' });
    if (tpm) out.push({ subject: `${owner}:tpm`, limit: tpm, amount: promptTokens, kind: 'tokens' });
  };
  add(`key:${p.key.id}`, p.key.rpm, p.key.tpm);
  add(`user:${p.user.id}`, p.user.rpm, p.user.tpm);
  return out;
}

function tooMany(items: LimitedTake[], result: TakeResult): RelayError {
  const { headers, retryAfterMs, breached } = rateLimitHeaders(items, result);
  const what = breached.kind === 'requests' ? 'requests per minute' : 'tokens per minute';
  const owner = breached.subject.startsWith('key:') ? 'this API key' : 'this account';
  return new RelayError(
    429,
    `Rate limit reached for ${owner}: ${breached.limit} ${what}. Retry in ${Math.ceil(retryAfterMs / 1000)} s.`,
    'rate_limit_error',
    breached.kind === 'requests' ? 'rate_limit_requests' : 'rate_limit_tokens',
    headers,
  );
}
