// Response headers for console files: caching by kind, and a strict CSP so injected markup
// cannot run script, load third-party resources or frame the console.
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // Solid and Kobalte set inline style attributes; no inline script is allowed.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function consoleHeaders(contentType: string, immutable: boolean): Record<string, string> {
  return {
    'content-type': contentType,
    // Hashed assets never change; index.html must be revalidated so a new build is picked up.
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    'content-security-policy': CONSOLE_CSP,
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'same-origin',
  };
}
