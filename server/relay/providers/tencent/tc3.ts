// TC3-HMAC-SHA256, Tencent Cloud API 3.0's request signature, exactly as documented in
// "签名方法 v3" (https://cloud.tencent.com/document/api/1729/101843, the Hunyuan API's copy of
// https://cloud.tencent.com/document/api/213/30654):
//   CanonicalRequest = METHOD \n URI \n QUERY \n CanonicalHeaders \n SignedHeaders \n hex(sha256(body))
//   StringToSign     = "TC3-HMAC-SHA256" \n Timestamp \n Date/service/tc3_request \n hex(sha256(CanonicalRequest))
//   SecretSigning    = HMAC(HMAC(HMAC("TC3" + SecretKey, Date), service), "tc3_request")
//   Authorization    = "TC3-HMAC-SHA256 Credential=SecretId/Date/service/tc3_request, SignedHeaders=…, Signature=hex(HMAC(SecretSigning, StringToSign))"
import { createHash, createHmac } from 'node:crypto';

export interface Tc3Input {
  secretId: string;
  secretKey: string;
  /** Product, e.g. `hunyuan`: the first label of the API host. */
  service: string;
  host: string;
  action: string;
  /** Exact body bytes sent. */
  body: string;
  /** Unix seconds; the signature's date is this instant's UTC date. */
  timestamp: number;
  contentType: string;
}

const sha256hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const hmac = (key: string | Buffer, s: string) => createHmac('sha256', key).update(s, 'utf8').digest();

export const TC3_SIGNED_HEADERS = 'content-type;host;x-tc-action';

export function tc3Authorization(i: Tc3Input): string {
  const date = new Date(i.timestamp * 1000).toISOString().slice(0, 10);
  const canonicalHeaders = `content-type:${i.contentType}\nhost:${i.host}\nx-tc-action:${i.action.toLowerCase()}\n`;
  const canonicalRequest = ['POST', '/', '', canonicalHeaders, TC3_SIGNED_HEADERS, sha256hex(i.body)].join('\n');
  const scope = `${date}/${i.service}/tc3_request`;
  const stringToSign = ['TC3-HMAC-SHA256', String(i.timestamp), scope, sha256hex(canonicalRequest)].join('\n');
  const signing = hmac(hmac(hmac(`TC3${i.secretKey}`, date), i.service), 'tc3_request');
  const signature = createHmac('sha256', signing).update(stringToSign, 'utf8').digest('hex');
  return `TC3-HMAC-SHA256 Credential=${i.secretId}/${scope}, SignedHeaders=${TC3_SIGNED_HEADERS}, Signature=${signature}`;
}

/** One API's key for Tencent: `AppId|SecretId|SecretKey` (the AppId is not signed); `SecretId|SecretKey` works too. */
export function tencentSecrets(key: string): { secretId: string; secretKey: string } | null {
  const parts = key.split('|').map((s) => s.trim());
  if (parts.length === 3 && parts[1] && parts[2]) return { secretId: parts[1], secretKey: parts[2] };
  if (parts.length === 2 && parts[0] && parts[1]) return { secretId: parts[0], secretKey: parts[1] };
  return null;
}
