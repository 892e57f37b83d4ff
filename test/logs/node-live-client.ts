// Run under Node (bundled with `bun build --target=node`): subscribe to live events with the
// typed client and `ws`, print one JSON line per event. Args: <gateway url> <token>.
import WebSocket from 'ws';
import { createSwitchboardClient } from '../../client/index.ts';

const [url, token] = process.argv.slice(2) as [string, string];
const sb = createSwitchboardClient({ url, token, WebSocket });
const print = (o: unknown) => process.stdout.write(`${JSON.stringify(o, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}\n`);

sb.live.events.subscribe(undefined, {
  onStarted: () => print({ type: 'subscribed', node: process.version }),
  onData: (e) => {
    if (e.type === 'call.finished') print({ type: e.type, requestId: e.log.request_id, userId: e.log.user_id, status: e.log.status });
    else if (e.type === 'call.started') print({ type: e.type, requestId: e.requestId, userId: e.userId });
    else print({ type: e.type });
  },
  onError: (err) => print({ type: 'error', message: err.message }),
});
