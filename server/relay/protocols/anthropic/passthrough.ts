// Headers an Anthropic Messages request carries through to a vendor that serves it natively
// (https://docs.anthropic.com/en/api/versioning, https://docs.anthropic.com/en/api/beta-headers):
// anthropic-beta, the channel's configured betas joined with the client's; anthropic-version
// as the client sent it, where the vendor takes the version as a header.
export function anthropicHeaders(request: Request, channelBeta: string | undefined, version: boolean): Record<string, string> {
  const headers: Record<string, string> = {};
  const beta = [channelBeta, request.headers.get('anthropic-beta')].filter(Boolean).join(',');
  if (beta) headers['anthropic-beta'] = beta;
  const v = version ? request.headers.get('anthropic-version') : null;
  if (v) headers['anthropic-version'] = v;
  return headers;
}
