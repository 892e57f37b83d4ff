// `bun start`: validate config, start the gateway, stop gracefully on SIGTERM/SIGINT.
// `switchboard healthcheck` (the container HEALTHCHECK): exit 0 when /healthz answers ok.
import { ConfigError, loadConfig } from './config.ts';
import { startGateway } from './gateway.ts';
import { ensureConsoleBuilt } from './web/freshness.ts';

if (process.argv[2] === 'healthcheck') {
  const port = process.env.PORT || '3000';
  const ok = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2500) }).then((r) => r.ok, () => false);
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

await ensureConsoleBuilt();
const running = await startGateway(config);
let signals = 0;
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.on(sig, () => {
    if (++signals > 1) process.exit(1);
    // A backstop: whatever hangs (a database gone away), the process ends soon after the grace.
    setTimeout(() => {
      console.error('switchboard: shutdown did not finish in time; exiting');
      process.exit(1);
    }, config.shutdownGraceMs + 15_000).unref();
    running.stop().then(() => process.exit(0), () => process.exit(1));
  });
}
