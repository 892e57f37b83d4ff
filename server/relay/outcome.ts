// What a relayed call came to. An endpoint's respond step returns its response together
// with the outcome (known now, or when a stream ends); only the pipeline settles and logs
// it (Call.finish), so no endpoint touches money or the call log.
import type { RelayError } from './protocols/openai/errors.ts';
import type { MeteredUsage } from './protocols/openai/types.ts';

export interface Outcome {
  status: number;
  error?: RelayError | null;
  /** Token usage: reported by the upstream, else the local estimate (with `estimated`). */
  usage?: MeteredUsage | null;
  estimated?: boolean;
  /** An exact cost in another unit (images, audio seconds, characters), computed by server/billing/unit-pricing.ts. */
  cost?: bigint;
}

/** A respond step's result: the client's response and its outcome, settled by the pipeline. */
export interface Answer {
  response: Response;
  /** A promise for streams: it resolves when the stream ends, fails or the client leaves. */
  outcome: Outcome | Promise<Outcome>;
}
