// A Google service-account JSON key, as downloaded from the Cloud console.
import { asString, isRecord, tryParse } from '../../protocols/shared/json.ts';

export interface ServiceAccount {
  client_email: string;
  private_key: string;
  private_key_id?: string;
  project_id?: string;
  token_uri: string;
}

export const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';

/** Null when the key is not a service-account JSON (then it is used as a bearer token). */
export function parseServiceAccount(key: string): ServiceAccount | null {
  const v = tryParse(key.trim());
  if (!isRecord(v)) return null;
  const email = asString(v.client_email);
  const pk = asString(v.private_key);
  if (!email || !pk) return null;
  return {
    client_email: email,
    private_key: pk,
    private_key_id: asString(v.private_key_id),
    project_id: asString(v.project_id),
    token_uri: asString(v.token_uri) ?? GOOGLE_TOKEN_URI,
  };
}
