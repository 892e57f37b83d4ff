// Mock Bedrock Runtime: POST /model/{modelId}/converse (JSON) and /converse-stream
// (binary event-stream). With credentials it re-signs each request and rejects a
// signature mismatch, so a relay that changes the body after signing is caught.
import { AwsV4Signer } from 'aws4fetch';
import { concatFrames, eventFrame, exceptionFrame } from './eventstream.ts';
import { fixture, hasTools, json, type MockUpstream, record, type RecordedRequest, serve } from './shared.ts';

export interface BedrockMockOptions {
  credentials?: { accessKeyId: string; secretAccessKey: string; region: string };
}

export async function start(opts: BedrockMockOptions = {}): Promise<MockUpstream> {
  const requests: RecordedRequest[] = [];
  const server = serve(async (req) => {
    const raw = await req.clone().text();
    const r = await record(req, requests);
    const m = /^\/model\/([^/]+)\/(converse|converse-stream)$/.exec(r.path);
    if (!m) return json({ message: 'Unknown operation' }, 404, { 'x-amzn-errortype': 'UnknownOperationException' });
    const auth = r.headers.authorization ?? '';
    if (!auth) return json({ message: 'Missing Authentication Token' }, 403, { 'x-amzn-errortype': 'MissingAuthenticationTokenException' });
    if (opts.credentials && !(await signatureMatches(req.url, r, raw, opts.credentials))) {
      return json({ message: 'The request signature we calculated does not match the signature you provided.' }, 403, { 'x-amzn-errortype': 'InvalidSignatureException' });
    }
    const modelId = decodeURIComponent(m[1] ?? '');
    if (modelId === 'mock-error') return json(fixture('bedrock', 'error.json'), 400, { 'x-amzn-errortype': 'ValidationException' });
    const tools = hasTools(r.body);
    if (m[2] === 'converse') return json(fixture('bedrock', tools ? 'tool-use.json' : 'text.json'));
    if (modelId === 'mock-throttle') {
      return eventStream(concatFrames([eventFrame('messageStart', { role: 'assistant' }), exceptionFrame('throttlingException', 'Too many requests, please wait before trying again.')]));
    }
    const events = JSON.parse(fixture('bedrock', tools ? 'tool-call.events.json' : 'text.events.json')) as Array<[string, unknown]>;
    return eventStream(concatFrames(events.map(([type, payload]) => eventFrame(type, payload))));
  });
  return { url: server.url, requests, stop: server.stop };
}

function eventStream(bytes: Uint8Array): Response {
  // Split mid-frame on purpose: real event-stream frames do not align with TCP reads.
  return new Response(
    new ReadableStream({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 37) controller.enqueue(bytes.subarray(i, i + 37));
        controller.close();
      },
    }),
    { headers: { 'content-type': 'application/vnd.amazon.eventstream' } },
  );
}

async function signatureMatches(url: string, r: RecordedRequest, body: string, creds: NonNullable<BedrockMockOptions['credentials']>): Promise<boolean> {
  const auth = r.headers.authorization ?? '';
  if (auth.startsWith('Bearer ')) return true;
  const signed = /SignedHeaders=([^,]+)/.exec(auth)?.[1]?.split(';') ?? [];
  const headers: Record<string, string> = {};
  for (const h of signed) if (h !== 'host' && r.headers[h] !== undefined) headers[h] = r.headers[h];
  const signer = new AwsV4Signer({
    method: 'POST', url, headers, body,
    accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey,
    sessionToken: r.headers['x-amz-security-token'], service: 'bedrock', region: creds.region,
    datetime: r.headers['x-amz-date'],
  });
  const expected = (await signer.sign()).headers.get('authorization');
  return expected === auth;
}
