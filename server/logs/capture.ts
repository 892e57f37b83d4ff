// Request/response body capture for one call, when the settings switch it on for the
// call's key or model. Keeps at most `limit` bytes of each body while the call runs and
// redacts once at the end, so a streamed answer costs one bounded copy per chunk.
import { redactHeaders, redactText } from './redact.ts';
import type { LogSettingsCache } from './settings.ts';

export interface CapturedBodies {
  request_headers: Record<string, string>;
  request: string | null;
  response: string | null;
  request_bytes: number;
  response_bytes: number;
  truncated: boolean;
}

const decoder = new TextDecoder();

export class BodyCapture {
  private req: Uint8Array | null = null;
  private reqBytes = 0;
  private res: Uint8Array[] = [];
  private resKept = 0;
  private resBytes = 0;

  private constructor(private readonly limit: number, private readonly headers: Headers) {}

  /** A capture for this call, or null when capture is off for its key and model (the usual case). */
  static start(settings: LogSettingsCache, keyId: number | undefined, model: string, request: Request, raw: Uint8Array): BodyCapture | null {
    const limit = settings.captureLimit(keyId, model);
    if (limit === 0) return null;
    const c = new BodyCapture(limit, request.headers);
    c.reqBytes = raw.byteLength;
    c.req = raw.slice(0, limit);
    return c;
  }

  response(chunk: Uint8Array): void {
    this.resBytes += chunk.byteLength;
    if (this.resKept >= this.limit) return;
    const part = chunk.slice(0, this.limit - this.resKept);
    this.res.push(part);
    this.resKept += part.byteLength;
  }

  /** The redacted bodies; `errorBody` stands in for a response the client got from the gateway itself. */
  finish(errorBody: string | null): CapturedBodies {
    if (this.resBytes === 0 && errorBody) this.response(new TextEncoder().encode(errorBody));
    return {
      request_headers: redactHeaders(this.headers),
      request: this.req ? redactText(decoder.decode(this.req)) : null,
      response: this.res.length ? redactText(decoder.decode(Buffer.concat(this.res))) : null,
      request_bytes: this.reqBytes,
      response_bytes: this.resBytes,
      truncated: this.reqBytes > this.limit || this.resBytes > this.limit,
    };
  }
}
