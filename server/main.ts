// `bun start`: validate config, start the gateway, stop gracefully on SIGTERM/SIGINT.
import { ConfigError, loadConfig } from './config.ts';
import { startGateway } from './gateway.ts';

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

const running = await startGateway(config);
let signals = 0;
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.on(sig, () => {
    if (++signals > 1) process.exit(1);
    running.stop().then(() => process.exit(0), () => process.exit(1));
  });
}
