// AWS Signature Version 4 for a finished request, via aws4fetch's signer (which double
// encodes the path as non-S3 services require: model ids contain ':').
import { AwsV4Signer } from 'aws4fetch';
import type { UpstreamRequest } from '../types.ts';
import type { AwsCredentials } from './credentials.ts';

export async function signSigV4(
  req: UpstreamRequest,
  creds: AwsCredentials,
  scope: { service: string; region: string },
  /** Fixed `YYYYMMDDTHHMMSSZ` timestamp, for tests against AWS's published vectors. */
  datetime?: string,
): Promise<UpstreamRequest> {
  const signer = new AwsV4Signer({
    method: req.method,
    url: req.url,
    headers: req.headers,
    body: req.body as BodyInit | undefined,
    accessKeyId: creds.accessKeyId,
    secretAccessKey: creds.secretAccessKey,
    sessionToken: creds.sessionToken,
    service: scope.service,
    region: scope.region,
    datetime,
  });
  const signed = await signer.sign();
  const headers: Record<string, string> = {};
  signed.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return { ...req, headers };
}
