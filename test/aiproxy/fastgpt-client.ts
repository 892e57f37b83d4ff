// FastGPT's two ways of calling AI Proxy, replayed byte for byte against a gateway:
// - the browser's axios calls through FastGPT's Next.js proxy
//   (projects/app/src/pages/api/aiproxy/[...path].ts @ 03e32630627ebe57e9fb1f43b233a7164a43a5fe):
//   path segments joined with `/` (a trailing `/` only for `api/dashboardv2`), the query
//   re-encoded with URLSearchParams, the browser's headers forwarded minus cookie, host and
//   origin, `Authorization: Bearer ${AIPROXY_API_TOKEN}` added, the body piped unchanged,
//   over node:http;
// - FastGPT's server-side axios (createChannel.ts, thirdProvider/aiproxy/*): JSON with
//   `Authorization: Bearer ${token}`.
import { request as httpRequest } from 'node:http';

/** What Chrome sends to FastGPT for an axios call of its web app (before the proxy strips some). */
function browserHeaders(method: string, body: string | undefined): Record<string, string> {
  const h: Record<string, string> = {
    host: 'fastgpt.example.com',
    connection: 'keep-alive',
    accept: 'application/json, text/plain, */*',
    'accept-language': 'zh-CN,zh;q=0.9,en;q=0.8',
    'accept-encoding': 'gzip, deflate, br, zstd',
    'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    referer: 'https://fastgpt.example.com/account/model',
    'sec-ch-ua': '"Chromium";v="131", "Not_A Brand";v="24"',
    'sec-ch-ua-mobile': '?0',
    'sec-ch-ua-platform': '"Linux"',
    'sec-fetch-dest': 'empty',
    'sec-fetch-mode': 'cors',
    'sec-fetch-site': 'same-origin',
    cookie: 'fastgpt_token=eyJhbGciOiJIUzI1NiJ9.test; NEXT_LOCALE=zh-CN',
  };
  // axios drops Content-Type when there is no data (GET, DELETE through FastGPT's request()).
  if (body !== undefined) {
    h['content-type'] = 'application/json';
    h['content-length'] = String(Buffer.byteLength(body));
    h.origin = 'https://fastgpt.example.com';
  }
  return h;
}

export interface ProxyAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: any;
}

/**
 * A call of FastGPT's web app to `/api/aiproxy/<path>` as its proxy forwards it to
 * AIPROXY_API_ENDPOINT. `path` is FastGPT's `[...path]` (e.g. `api/channels/all`),
 * `query` what Next.js parsed from the browser's query string.
 */
export function viaFastGPTProxy(endpoint: string, token: string, call: { method: 'GET' | 'POST' | 'PUT' | 'DELETE'; path: string; query?: Record<string, string>; body?: unknown }): Promise<ProxyAnswer> {
  const endPathMap: Record<string, boolean> = { 'api/dashboardv2': true };
  const queryStr = new URLSearchParams(call.query ?? {}).toString();
  const basePath = `/${call.path}${endPathMap[call.path] ? '/' : ''}`;
  const requestPath = queryStr ? `${basePath}?${queryStr}` : basePath;
  const body = call.body === undefined ? undefined : JSON.stringify(call.body);
  const headers: Record<string, string> = browserHeaders(call.method, body);
  delete headers.cookie;
  delete headers.host;
  delete headers.origin;
  const parsedUrl = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      protocol: parsedUrl.protocol,
      hostname: parsedUrl.hostname,
      port: parsedUrl.port,
      path: requestPath,
      method: call.method,
      headers: { ...headers, Authorization: `Bearer ${token}` },
      timeout: 30000,
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, json: JSON.parse(text) });
        } catch {
          reject(new Error(`not JSON (${res.statusCode}): ${text.slice(0, 300)}`));
        }
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** FastGPT's server-side axios call (createChannel.ts, thirdProvider/aiproxy/channel.ts). */
export async function fastgptServerCall(endpoint: string, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${endpoint}${path}`, {
    method,
    headers: {
      Accept: 'application/json, text/plain, */*',
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      Authorization: `Bearer ${token}`,
      'User-Agent': 'axios/1.8.4',
      'Accept-Encoding': 'gzip, compress, deflate, br',
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}
