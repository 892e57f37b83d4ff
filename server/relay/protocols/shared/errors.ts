// Errors a converter raises. The core maps `status` to the client response; a stream
// converter throws VendorStreamError when the vendor reports an error mid-stream.

export class VendorRequestError extends Error {
  readonly status = 400;
  readonly type = 'invalid_request_error';
}

export class VendorStreamError extends Error {
  readonly type: string;
  readonly code?: string;
  constructor(message: string, type = 'upstream_error', code?: string) {
    super(message);
    this.type = type;
    this.code = code;
  }
}

/** Fallback when a vendor error body is not the documented JSON. */
export function plainError(status: number, body: string): { message: string; type?: string } {
  const text = body.trim().slice(0, 500);
  return { message: text || `upstream returned HTTP ${status}`, type: 'upstream_error' };
}

/**
 * A vendor's `errorMessage`: the parsed error when the body held one, else the body's first
 * 500 characters as they came (or `HTTP <status>` when empty).
 */
export function vendorErrorMessage(err: VendorStreamError | null, status: number, body: string): { message: string; type?: string; code?: string } {
  return err ? { message: err.message, type: err.type, code: err.code } : { message: body.slice(0, 500) || `HTTP ${status}`, type: 'upstream_error' };
}
