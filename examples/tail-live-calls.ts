// Print calls as they finish, one line each (a user's token sees only that user's calls).
//   SWITCHBOARD_TOKEN=sbp_… bun examples/tail-live-calls.ts [--limit N]
// Subscriptions travel over a WebSocket to /live. Bun has a global WebSocket; on Node < 22
// pass `ws`: createSwitchboardClient({ url, token, WebSocket: (await import('ws')).WebSocket }).
import { nanoToUsd } from '../server/billing/money.ts';
import { arg, client } from './env.ts';

const sb = client();
const limit = Number(arg('limit', '0')); // 0: until interrupted
let seen = 0;

const sub = sb.live.events.subscribe({ types: ['call.finished'] }, {
  onData(e) {
    if (e.type !== 'call.finished') return;
    const l = e.log;
    process.stdout.write(`${new Date(l.created_at).toISOString()}\t${l.status}\t${l.model}\t${l.prompt_tokens}+${l.completion_tokens} tok\t$${nanoToUsd(l.cost)}\t${l.latency_ms}ms\n`);
    if (limit && ++seen >= limit) {
      sub.unsubscribe();
      process.exit(0);
    }
  },
  onError(err) {
    process.stderr.write(`subscription failed: ${err.message}\n`);
    process.exit(1);
  },
});
process.stderr.write('listening for calls…\n');
