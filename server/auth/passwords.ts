// Password hashing with Bun.password: argon2id for new hashes; bcrypt hashes imported from
// One API verify too and are upgraded to argon2id on the next successful sign-in.

let dummy: Promise<string> | null = null;

/** A hash to verify against when the account does not exist, so timing does not reveal it. */
function dummyHash(): Promise<string> {
  dummy ??= Bun.password.hash('switchboard-no-such-account');
  return dummy;
}

export function hashPassword(password: string): Promise<string> {
  return Bun.password.hash(password);
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
