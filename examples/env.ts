// Shared by the examples: where the server is and which token to use.
//   SWITCHBOARD_URL    default http://127.0.0.1:3000
//   SWITCHBOARD_TOKEN  ADMIN_KEY, or a personal access token (`sbp_…`) made with `tokens.create`
import { createSwitchboardClient } from '../client/index.ts';

export function client() {
  const token = process.env.SWITCHBOARD_TOKEN ?? process.env.ADMIN_KEY;
  if (!token) {
    process.stderr.write('set SWITCHBOARD_TOKEN to ADMIN_KEY or a personal access token (sbp_…)\n');
    process.exit(2);
  }
  return createSwitchboardClient({ url: process.env.SWITCHBOARD_URL ?? 'http://127.0.0.1:3000', token });
}

/** `--name value` from argv, or the default. */
export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}
