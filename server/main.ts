// `bun start`: validate config, start the gateway, stop gracefully on SIGTERM/SIGINT.
// `switchboard healthcheck` (the container HEALTHCHECK): exit 0 when /healthz answers ok;
// `switchboard healthcheck ready`: exit 0 when /readyz does (database up, call logs committing).
import { isDriverInternalError } from '../db/connect.ts';
import { isUnreachable } from '../db/health.ts';
import { ConfigError, loadConfig } from './config.ts';
import { startGateway } from './gateway.ts';
import { ensureConsoleBuilt } from './web/freshness.ts';

if (process.argv[2] === 'healthcheck') {
  const port = process.env.PORT || '3000';
  const path = process.argv[3] === 'ready' ? '/readyz' : '/healthz';
  const ok = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2500) }).then((r) => r.ok, () => false);
  process.exit(ok ? 0 : 1);
}

let config;
try {
  config = loadConfig();
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(`switchboard: ${e.message}`);
    process.exit(1);
  }
  throw e;
}

// Last line of defence: an error thrown from inside the database driver's own socket
// callbacks, or a "database unreachable" error, is logged, not fatal (the pool reconnects;
// issue 20). Anything else still ends the process, as it would without this handler.
const logLine = (msg: string, error: unknown) =>
  console.error(JSON.stringify({ time: new Date().toISOString(), level: 'error', msg, error: String(error), stack: (error as Error | null)?.stack }));
process.on('uncaughtException', (error) => {
  if (isDriverInternalError(error) || isUnreachable(error)) return logLine('database driver error ignored', error);
  console.error(error);
  process.exit(1);
});
// A promise nobody awaited failed (a background job, a fire-and-forget notify). Bun would end
// the process; a gateway serving calls must not die for it. Logged with its stack, so it is
// found and fixed.
process.on('unhandledRejection', (reason) => logLine('unhandled promise rejection', reason));

await ensureConsoleBuilt();
let running;
try {
  running = await startGateway(config);
} catch (e) {
  // A clear line, not a stack trace: e.g. a wrong password or a missing database.
  console.error(`switchboard: could not start: ${(e as Error)?.message ?? e}`);
  process.exit(1);
}
// Ctrl-C on `bun start` reaches the gateway twice at once (from the terminal, to the whole
// process group, and forwarded by the `bun run` parent): that is one request to stop. A
// signal a second or more after the first forces the exit.
let firstSignalAt = 0;
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.on(sig, () => {
    if (firstSignalAt) {
      if (Date.now() - firstSignalAt >= 1_000) process.exit(1);
      return;
    }
    firstSignalAt = Date.now();
    // A backstop: whatever hangs (a database gone away), the process ends soon after the grace.
    setTimeout(() => {
      console.error('switchboard: shutdown did not finish in time; exiting');
      process.exit(1);
    }, config.shutdownGraceMs + 15_000).unref();
    running.stop().then(() => process.exit(0), () => process.exit(1));
  });
}
