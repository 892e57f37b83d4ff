// Mock Vertex AI: an OAuth token endpoint (JWT-bearer grant, assertion verified against
// the generated service account's public key) plus publisher-model endpoints for
// Gemini (generateContent) and Claude (rawPredict / streamRawPredict).
import { exportPKCS8, exportSPKI, generateKeyPair, importSPKI, jwtVerify } from 'jose';
import { anthropicReply } from './anthropic.ts';
import { geminiReply } from './gemini.ts';
import { json, type MockUpstream, record, type RecordedRequest, serve } from './shared.ts';

export interface VertexMock extends MockUpstream {
  /** A service-account JSON key whose token_uri points at this mock. Use it as the channel key. */
  serviceAccountKey: string;
  tokenRequests: number;
}

export async function start(): Promise<VertexMock> {
  const requests: RecordedRequest[] = [];
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const verifyKey = await importSPKI(await exportSPKI(publicKey), 'RS256');
  const issued = new Set<string>();
  const state = { tokenRequests: 0 };
  let tokenUri = '';

  const server = serve(async (req) => {
    const r = await record(req, requests);
    if (r.path === '/token') {
      state.tokenRequests += 1;
      const form = new URLSearchParams(String(r.body ?? ''));
      if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return json({ error: 'unsupported_grant_type' }, 400);
      try {
        await jwtVerify(form.get('assertion') ?? '', verifyKey, { audience: tokenUri, issuer: 'mock@mock-project.iam.gserviceaccount.com' });
      } catch {
        return json({ error: 'invalid_grant', error_description: 'Invalid JWT Signature.' }, 400);
      }
      const token = `ya29.mock-${crypto.randomUUID()}`;
      issued.add(token);
      return json({ access_token: token, expires_in: 3599, token_type: 'Bearer' });
    }
    const token = (r.headers.authorization ?? '').replace(/^Bearer /, '');
    if (!issued.has(token)) {
      return json({ error: { code: 401, message: 'Request had invalid authentication credentials.', status: 'UNAUTHENTICATED' } }, 401);
    }
    const m = /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/(google|anthropic)\/models\/[^/]+$/.exec(r.path.replace(/:.*$/, ''));
    if (!m) return json({ error: { code: 404, message: `Unknown path ${r.path}`, status: 'NOT_FOUND' } }, 404);
    if (m[3] === 'google') return geminiReply(r);
    const body = (r.body ?? {}) as { anthropic_version?: string; model?: string };
    if (body.anthropic_version !== 'vertex-2023-10-16' || body.model !== undefined) {
      return json({ type: 'error', error: { type: 'invalid_request_error', message: 'anthropic_version: vertex-2023-10-16 is required and model must not be set' } }, 400);
    }
    return anthropicReply(r, { requireKey: false });
  });
  tokenUri = `${server.url}/token`;
  const serviceAccountKey = JSON.stringify({
    type: 'service_account',
    project_id: 'mock-project',
    private_key_id: 'mock-key-1',
    private_key: await exportPKCS8(privateKey),
    client_email: 'mock@mock-project.iam.gserviceaccount.com',
    token_uri: tokenUri,
  });
  return {
    url: server.url,
    requests,
    stop: server.stop,
    serviceAccountKey,
    get tokenRequests() {
      return state.tokenRequests;
    },
  };
}
