// Password hashing with Bun.password: argon2id for new hashes; bcrypt hashes imported from
// One API verify too and are upgraded to argon2id on the next successful sign-in.

/**
 * argon2id at one of OWASP's equivalent minimum settings (7 MiB, 5 passes) rather than Bun's
 * default 64 MiB, 2 passes: with MIMALLOC_PURGE_DELAY=-1 (bun start, the image) the process
 * keeps every page a hash touched, so the default left ~64 MiB resident for good after the
 * first start or the first sign-in (docs/performance.md, "Idle and loaded memory, round 2").
 * Existing hashes carry their own parameters and verify unchanged.
 */
export const ARGON2 = { algorithm: 'argon2id', memoryCost: 7_168, timeCost: 5 } as const;

let dummy: Promise<string> | null = null;

/** A hash to verify against when the account does not exist, so timing does not reveal it. */
function dummyHash(): Promise<string> {
  dummy ??= Bun.password.hash('switchboard-no-such-account', ARGON2);
  return dummy;
}

export function hashPassword(password: string): Promise<string> {
  return Bun.password.hash(password, ARGON2);
}

export async function verifyPassword(password: string, hash: string | null | undefined): Promise<boolean> {
  if (!hash) {
    await Bun.password.verify(password, await dummyHash());
    return false;
  }
  try {
    return await Bun.password.verify(password, hash);
  } catch {
    // Not a hash Bun recognises (e.g. an unusable imported value): never a match.
    return false;
  }
}

export function needsRehash(hash: string): boolean {
  return !hash.startsWith('$argon2id$');
}
