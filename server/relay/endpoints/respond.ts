// Successful responses of the non-chat endpoints: the upstream's bytes with its content
// type, plus the gateway's request id and overhead headers.
import type { Call } from '../call.ts';
import type { RelayError } from '../errors.ts';
import type { SurfaceError } from '../protocols/types.ts';

export function bytesResponse(call: Call, body: Uint8Array | string, contentType: string): Response {
  return new Response(body as Uint8Array<ArrayBuffer> | string, { status: 200, headers: { 'content-type': contentType, ...call.responseHeaders() } });
}

/** RelayEndpoint.error for a protocol with its own error shape. */
export function protocolError(shape: (status: number, message: string) => SurfaceError) {
  return (err: RelayError, requestId: string): Response => {
    const { status, body } = shape(err.status, err.message);
    return Response.json(body, { status, headers: { 'x-request-id': requestId, ...err.headers } });
  };
}
