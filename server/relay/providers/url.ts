// Base-URL quirks shared by every adapter: operators paste base URLs with or without
// the version segment, with trailing slashes, or as a full endpoint path.

const VERSION_TAIL = /\/(v\d+(beta\d*|alpha\d*)?|api\/v\d+|compatible-mode\/v\d+|openai(\/v\d+)?)$/;

/**
 * Join a channel base URL with `prefix` (the vendor's version segment, e.g. `/v1`) and
 * an endpoint path. A base that already ends in a version segment gets no prefix; a base
 * that already ends in the endpoint path is used as is.
 */
export function joinUrl(baseUrl: string, prefix: string, path: string): string {
  const key = `${baseUrl}\n${prefix}\n${path}`;
  let url = joined.get(key);
  if (url === undefined) {
    // Channels × endpoints: a small set, but base URLs are operator input; stay bounded.
    if (joined.size >= 4096) joined.clear();
    joined.set(key, (url = join(baseUrl, prefix, path)));
  }
  return url;
}

/** Every relayed call joins the same few URLs: remember them. */
const joined = new Map<string, string>();

function join(baseUrl: string, prefix: string, path: string): string {
  const base = baseUrl.replace(/\/+$/, '');
  const p = path.startsWith('/') ? path : `/${path}`;
  if (base.endsWith(p)) return base;
  if (!prefix || VERSION_TAIL.test(base) || base.endsWith(prefix)) return base + p;
  return base + prefix + p;
}
