// Live events across instances sharing one Postgres, over LISTEN/NOTIFY. Instances with
// subscribers announce it (and re-announce while they have any), so an instance nobody
// watches publishes nothing. Events are batched every FLUSH_MS into payloads under
// Postgres' 8000-byte NOTIFY limit; finished calls travel as row ids and a receiving
// instance with subscribers reads the rows back (they are committed before the ids leave).
import { sql } from 'kysely';
import superjson from 'superjson';
import type { Db } from '../../db/connect.ts';
import type { Logger } from '../logger.ts';
import { asLogRow } from '../logs/query.ts';
import type { LiveBus } from './bus.ts';
import type { LiveEvent } from './events.ts';

const CHANNEL = 'switchboard_live';
const MAX_PAYLOAD = 7900;
const FLUSH_MS = 50;
const HEARTBEAT_MS = 15_000;
const INTEREST_TTL_MS = 40_000;

interface Wire {
  /** Sender instance. */
  i: string;
  /** The sender has subscribers. */
  s?: 1;
  /** The sender asks instances with subscribers to announce themselves (it just started). */
  q?: 1;
  /** Events, each superjson-encoded. */
  e?: string[];
  /** Finished calls: call_logs ids and the created_at range (ms) they fall in. */
  f?: [string[], number, number];
}

export interface Fanout {
  stop(): Promise<void>;
}

export async function startFanout(gw: { db: Db; log: Logger }, bus: LiveBus, instanceId: string): Promise<Fanout> {
  let events: string[] = [];
  let finished: { ids: string[]; from: number; to: number } | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const notify = (w: Omit<Wire, 'i'>) =>
    sql`SELECT pg_notify(${CHANNEL}, ${JSON.stringify({ i: instanceId, ...w })})`.execute(gw.db.db)
      .catch((error) => gw.log.warn('live fan-out notify failed', { error }));

  const announce = () => { if (bus.subscribers > 0) void notify({ s: 1 }); };

  const flush = async () => {
    timer = null;
    const out = events;
    const fin = finished;
    events = [];
    finished = null;
    for (const chunk of pack(out)) await notify({ e: chunk });
    if (fin) for (const ids of packIds(fin.ids)) await notify({ f: [ids, fin.from, fin.to] });
  };

  bus.remote = (e) => {
    if (e.type === 'call.finished') {
      const at = new Date(e.log.created_at).getTime();
      finished ??= { ids: [], from: at, to: at };
      finished.ids.push(e.log.id);
      finished.from = Math.min(finished.from, at);
      finished.to = Math.max(finished.to, at);
    } else {
      events.push(superjson.stringify(e));
    }
    timer ??= setTimeout(() => void flush(), FLUSH_MS);
  };
  bus.onFirstSubscriber.push(announce);

  const receive = async (payload: string) => {
    let w: Wire;
    try { w = JSON.parse(payload) as Wire; } catch { return; }
    if (w.i === instanceId) return;
    if (w.s) bus.remoteInterest(Date.now() + INTEREST_TTL_MS);
    if (w.q) announce();
    if (bus.subscribers === 0) return;
    for (const raw of w.e ?? []) bus.deliver(superjson.parse<LiveEvent>(raw));
    if (w.f) {
      const [ids, from, to] = w.f;
      const rows = await gw.db.db.selectFrom('call_logs').selectAll().where('id', 'in', ids)
        .where('created_at', '>=', new Date(from)).where('created_at', '<=', new Date(to)).orderBy('id').execute();
      for (const log of rows) bus.deliver({ type: 'call.finished', log: asLogRow(log) });
    }
  };

  const unlisten = await gw.db.listen(CHANNEL, (payload) => {
    receive(payload).catch((error) => gw.log.warn('live fan-out receive failed', { error }));
  });
  const heartbeat = setInterval(announce, HEARTBEAT_MS);
  await notify({ q: 1 });

  return {
    async stop() {
      clearInterval(heartbeat);
      if (timer) clearTimeout(timer);
      bus.remote = null;
      await unlisten().catch(() => {});
    },
  };
}

/** Group encoded events into arrays whose JSON stays under the NOTIFY limit. */
function pack(items: string[]): string[][] {
  const out: string[][] = [];
  let cur: string[] = [];
  let size = 64;
  for (const it of items) {
    const n = Buffer.byteLength(JSON.stringify(it)) + 1;
    if (n + 64 > MAX_PAYLOAD) continue; // a single oversized event cannot travel; local subscribers still got it
    if (size + n > MAX_PAYLOAD && cur.length) {
      out.push(cur);
      cur = [];
      size = 64;
    }
    cur.push(it);
    size += n;
  }
  if (cur.length) out.push(cur);
  return out;
}

function packIds(ids: string[]): string[][] {
  const out: string[][] = [];
  const per = Math.floor((MAX_PAYLOAD - 128) / 24);
  for (let i = 0; i < ids.length; i += per) out.push(ids.slice(i, i + per));
  return out;
}
