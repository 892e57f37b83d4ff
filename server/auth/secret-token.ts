// Bearer secrets we mint (session cookies `sbs_…`, personal access tokens `sbp_…`):
// random, prefixed so they are recognisable in leaks, stored only as sha256 hex.
import { hashClientKey, randomToken } from '../secrets/crypto.ts';

export const SESSION_PREFIX = 'sbs_';
export const PAT_PREFIX = 'sbp_';

export function newSecretToken(prefix: string): string {
  return `${prefix}${randomToken(43)}`;
}

/** Same digest as client keys: sha256 hex of the whole token. */
export const hashSecretToken = hashClientKey;
