// Assembles a running gateway: database, caches, batch writer, HTTP server. `startGateway`
// is what `bun start` runs and what tests call to get a real server on a random port.
import { join } from 'node:path';
import { Elysia } from 'elysia';
import { newRequestId } from './relay/call.ts';
import { databaseUnavailable, errorResponse } from './relay/protocols/openai/errors.ts';
import { connect, migrate, untilReachable } from '../db/connect.ts';
import { chooseEmbedded, EMBEDDED_POOL_SIZE, type EmbeddedServer, embeddedServerDir, startEmbeddedServer } from '../db/embedded-server.ts';
import { abandonPgliteMove, beginPgliteMove, finishPgliteMove, movePgliteInChild } from '../db/pglite-move.ts';
import { DatabaseUnavailable } from '../db/health.ts';
import { adminPlugin } from './admin/plugin.ts';
import { ensureAdminKeyAccount } from './aiproxy/admin-key-account.ts';
import { aiproxyPlugin } from './aiproxy/plugin.ts';
import { playgroundPlugin } from './admin/playground.ts';
import { Auth } from './auth/index.ts';
import { Accounts } from './billing/accounts.ts';
import { redeemPlugin } from './relay/endpoints/redeem.ts';
import { geminiNotFound } from './relay/endpoints/gemini-count-tokens.ts';
import { seedDefaultPrices } from './billing/seed-prices.ts';
import { ensureAdminKey, ensureRoot } from './bootstrap.ts';
import { createLimiter } from './limits/index.ts';
import type { Config } from './config.ts';
import type { Gateway } from './context.ts';
import { createLogger, type Logger } from './logger.ts';
import { Journal } from './logs/journal.ts';
import { LogWriter } from './logs/writer.ts';
import { LiveBus } from './live/bus.ts';
import { startFanout } from './live/fanout.ts';
import { connectLiveSources } from './live/sources.ts';
import { liveWebSocketPlugin } from './admin/live-ws.ts';
import { logsHttpPlugin } from './admin/logs-export.ts';
import { marginCsvPlugin } from './admin/margin-csv.ts';
import { ensureLogPartitions, startLogMaintenance } from './logs/maintenance.ts';
import { LogSettingsCache } from './logs/settings.ts';
import { createGatewayMetrics } from './metrics/gateway-metrics.ts';
import { metricsPlugin } from './metrics/plugin.ts';
import { relayPlugin } from './relay/plugin.ts';
import { webPlugin } from './web/plugin.ts';
import { startChannelJobs } from './channels/jobs.ts';
import { startAlerts } from './alerts/index.ts';
import { startBalanceSync } from './live/balance-sync.ts';
import { createGatewayEvents } from './routing/events.ts';
import { RoutingState } from './routing/state.ts';
import { ClientAddress } from './security/client-address.ts';
import { SecretScrubber } from './state/secret-scrubber.ts';
import { secureDataDir } from './security/data-dir.ts';
import { Shutdown } from './lifecycle/shutdown.ts';
import { KeyConcurrency } from './limits/concurrency.ts';
import { createAffinity } from './routing/affinity.ts';
import { loadMasterSecret, randomToken, SecretBox } from './secrets/crypto.ts';
import { Store } from './state/store.ts';
import { Mutex } from './util/mutex.ts';

const INVALIDATE_CHANNEL = 'switchboard_invalidate';

export interface RunningGateway {
  gw: Gateway;
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * DATA_DIR holds a PGlite database (the embedded default before the PostgreSQL server): copy
 * it into a new server cluster once (db/pglite-move.ts). Anything going wrong leaves PGlite
 * in charge (null: stay on PGlite), with the reason logged; the next start tries again.
 */
async function moveFromPglite(dataDir: string, log: Logger): Promise<EmbeddedServer | null> {
  log.info('moving the PGlite database (DATA_DIR/pg) into the embedded PostgreSQL server (DATA_DIR/pg18), once', { dir: dataDir });
  beginPgliteMove(dataDir);
  let server: EmbeddedServer | null = null;
  try {
    server = await startEmbeddedServer(dataDir, log);
    const moved = await movePgliteInChild(dataDir, server.url);
    finishPgliteMove(dataDir);
    log.info('moved the PGlite database into the embedded PostgreSQL server; the old copy is DATA_DIR/pg.moved (delete it once satisfied)', { ...moved });
    return server;
  } catch (error) {
    log.error('could not move the PGlite database into the embedded PostgreSQL server: staying on PGlite this time (EMBEDDED_DB=pglite keeps it for good)', { error: String((error as Error)?.message ?? error) });
    await server?.stop().catch(() => {});
    abandonPgliteMove(dataDir, embeddedServerDir(dataDir));
    return null;
  }
}

export async function startGateway(config: Config): Promise<RunningGateway> {
  const log = createLogger(config.logLevel);
  warnIfFetchCapped(log);
  const tightened = secureDataDir(config.dataDir);
  if (tightened) log.warn('made DATA_DIR owner-only (0700 directories, 0600 files)', { dir: config.dataDir, entries: tightened });
  const master = loadMasterSecret(config.secret, join(config.dataDir, 'secret.key'));
  if (master.generated) log.warn('generated a master secret for upstream keys; back it up', { file: join(config.dataDir, 'secret.key') });
  const box = new SecretBox(master.secret);
  config = { ...config, adminKey: ensureAdminKey(config.adminKey, config.dataDir) };

  let embedded: EmbeddedServer | null = null;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    const choice = chooseEmbedded(config.dataDir, config.embeddedDb);
    if (choice.reason?.startsWith('root:')) {
      log.warn('running as root from a directory the PostgreSQL user cannot reach: using the in-process PGlite database instead (much more memory). Put the checkout and DATA_DIR where other users can pass through (o+x), run as a normal user, or set DATABASE_URL', { reason: choice.reason });
    }
    if (choice.kind === 'postgres' && choice.move) {
      embedded = await moveFromPglite(config.dataDir, log);
      databaseUrl = embedded?.url;
    } else if (choice.kind === 'postgres') {
      embedded = await startEmbeddedServer(config.dataDir, log);
      databaseUrl = embedded.url;
    }
  }
  const db = await connect({
    databaseUrl, dataDir: config.dataDir, queryTimeoutMs: config.dbQueryTimeoutMs, shared: embedded === null,
    poolSize: config.dbPoolSize ?? (embedded ? EMBEDDED_POOL_SIZE : 10), idleTimeoutMs: config.dbPoolIdleTimeoutMs,
  });
  // A database that is not up yet (or restarting) is waited for, with one line per attempt.
  const applied = await untilReachable(() => db.unbounded(migrate), (error, retryInMs, attempts) => {
    log.warn('database not reachable; retrying', { database: embedded ? 'embedded PostgreSQL' : describeDatabase(config.databaseUrl), reason: String((error as Error)?.message ?? error), retryInMs, attempts });
  }).catch(async (error: unknown) => {
    // The process ends on this error: do not leave the embedded server running behind it.
    await db.close().catch(() => {});
    await embedded?.stop();
    throw error;
  });
  if (applied.length) log.info('applied migrations', { migrations: applied });
  await ensureRoot(db.db, config.adminPassword, log);
  await seedDefaultPrices(db.db, log);
  await ensureAdminKeyAccount(db.db, config.adminKey!, log);
  // PGlite sets its own modes on some files it writes while starting (pg_internal.init): once more.
  secureDataDir(config.dataDir);

  const instanceId = randomToken(12);
  const dbLock = new Mutex();
  const accounts = new Accounts(db.db, dbLock, instanceId, log);
  const limiter = await createLimiter(db.db, config.redisUrl, log);
  const store = new Store(db.db, box, log);
  const journal = new Journal(join(config.dataDir, 'journal'), process.env.JOURNAL_FSYNC === '1', log);
  const writer = new LogWriter(db.db, accounts, dbLock, log, config.flushIntervalMs, journal);
  writer.available = () => db.health.isUp;
  store.onReload.push(() => dbLock.run(() => accounts.refresh(db.db)));

  const gw: Gateway = {
    config, db, store, accounts, limiter, writer, log, box, dbLock, inflight: new Set(),
    clientAddress: new ClientAddress(config.trustedProxies),
    secrets: new SecretScrubber().configure(config),
    shutdown: new Shutdown(),
    keyConcurrency: new KeyConcurrency(config.maxConcurrentPerKey),
    routing: new RoutingState(await createAffinity(db.db, config.redisUrl)), events: createGatewayEvents(),
    live: new LiveBus(), logSettings: new LogSettingsCache(),
    auth: new Auth(db.db, store, config.adminKey),
    async invalidate() {
      // Tell the other instances at once: they need not wait for this one's reload.
      await Promise.all([
        store.reload(),
        db.db.selectNoFrom((eb) => eb.fn('pg_notify', [eb.val(INVALIDATE_CHANNEL), eb.val(instanceId)]).as('n')).execute(),
      ]);
    },
  };
  store.keyOverlay = (id) => gw.routing.keys.overlay(id);
  // Log row ids are read back only when someone, on any instance, watches live calls.
  writer.wantIds = () => gw.live.active;
  store.onReload.push(() => gw.logSettings.reload(db.db));
  store.onReload.push(() => gw.secrets.updateFrom(store));
  await store.reload();
  db.health.onLost.push((error) => log.error('database unreachable; calls that need it get 503 until it is back', { reason: String((error as Error)?.message ?? error), backlog: writer.backlog }));
  db.health.onRecovered.push(() => {
    log.info('database reachable again', { backlog: writer.backlog });
    // Notifications sent while it was down are lost: rebuild the caches, drain the backlog.
    void store.reload().catch((error) => log.warn('reloading caches after the outage failed', { error }));
    void writer.flush();
  });
  // Another instance changed something: rebuild our caches too.
  const unlisten = await db.listen(INVALIDATE_CHANNEL, (payload) => {
    if (payload !== instanceId) store.reload().catch((error) => log.warn('reloading caches after a change elsewhere failed', { error }));
  });
  // Today's partitions must exist before the first call is logged (else rows go to the default one).
  await ensureLogPartitions(gw);
  const fanout = await startFanout(gw, gw.live, instanceId);
  const balanceSync = await startBalanceSync(gw, instanceId);
  const stopLiveSources = connectLiveSources(gw, gw.live);
  const metrics = createGatewayMetrics(gw);
  const logJobs = startLogMaintenance(gw);
  // Calls a killed process served but never committed (docs/deploy.md, "Crash safety").
  const replayed = await writer.replay();
  if (replayed) log.warn('replayed call logs from the local journal', { calls: replayed });
  writer.start();
  accounts.start();
  const jobs = startChannelJobs(gw);
  const alerts = startAlerts(gw);

  const app = new Elysia()
    .onError(({ code, error, request }) => {
      // Gemini clients read only Google's error shape.
      if (code === 'NOT_FOUND' && new URL(request.url).pathname.startsWith('/v1beta/')) return geminiNotFound(new URL(request.url));
      if (code === 'NOT_FOUND') return Response.json({ error: { message: 'Not found.', type: 'invalid_request_error', code: 'not_found', param: null } }, { status: 404 });
      // A Host header that makes no URL (e.g. with a space) is the client's fault, not ours.
      if (error instanceof DatabaseUnavailable) return errorResponse(databaseUnavailable(), newRequestId());
      if ((error as { code?: unknown }).code === 'ERR_INVALID_URL') return Response.json({ error: { message: 'Malformed request URL or Host header.', type: 'invalid_request_error', code: 'invalid_url', param: null } }, { status: 400 });
      log.error('unhandled request error', { code, error });
      return Response.json({ error: { message: 'Internal gateway error.', type: 'server_error', code: 'internal_error', param: null } }, { status: 500 });
    })
    // Liveness: the process serves HTTP. It stays 200 while the database is away (a restart would not bring it back).
    .get('/healthz', () => Response.json({ status: 'ok', database: db.kind }))
    // Readiness: the database answers and call logs are being committed (docs/deploy.md).
    .get('/readyz', () => readiness(gw))
    .use(relayPlugin(gw))
    .use(adminPlugin(gw))
    .use(aiproxyPlugin(gw))
    .use(redeemPlugin(gw))
    .use(liveWebSocketPlugin(gw))
    .use(logsHttpPlugin(gw))
    .use(playgroundPlugin(gw))
    .use(marginCsvPlugin(gw))
    .use(metricsPlugin(gw, metrics))
    // Last: the console's SPA fallback must not shadow any API route.
    .use(webPlugin())
    .listen({
      port: config.port,
      hostname: config.host,
      // LLM calls may think for minutes before the first byte; 255 s is Bun's maximum.
      idleTimeout: 255,
      reusePort: config.reusePort,
      // Our own cap (readBody) answers in OpenAI's error shape; Bun's is only a backstop.
      maxRequestBodySize: Math.max(config.maxBodyBytes * 8, 256 * 1024 * 1024),
    });

  const server = app.server!;
  const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${server.port}`;
  log.info('switchboard listening', { url, database: db.kind });

  let stopping: Promise<void> | null = null;
  return {
    gw,
    url,
    port: server.port!,
    stop() {
      stopping ??= (async () => {
        // No new connections; live sockets are closed (1001) so consoles reconnect elsewhere.
        // Not awaited: Bun's graceful stop waits for every open connection, however long.
        void server.stop(false);
        gw.shutdown.beginDraining();
        // Let in-flight calls and streams finish, up to the grace period.
        const within = (ms: number) => Promise.race([Promise.allSettled([...gw.inflight]), Bun.sleep(ms)]);
        await within(config.shutdownGraceMs);
        // Grace is over: streams still running end with the protocol's error event and are
        // settled for what they delivered; give them a moment to write it, then close everything.
        gw.shutdown.expire();
        await within(1000);
        await server.stop(true);
        await jobs.stop();
        await alerts.stop();
        await logJobs.stop();
        stopLiveSources();
        await fanout.stop();
        await balanceSync.stop();
        await writer.stop();
        // After the last flush: hand unused balance leases back to the database.
        await accounts.stop().catch((error) => log.error('returning leases failed', { error }));
        await limiter.close();
        gw.routing.affinity.close();
        await unlisten().catch(() => {});
        await db.close();
        await embedded?.stop();
        log.info('switchboard stopped');
      })();
      return stopping;
    },
  };
}

/** The database and the log writer's state; 503 while the database is down or flushes fail. */
function readiness(gw: Gateway): Response {
  const h = gw.db.health.snapshot();
  const failingFrom = gw.writer.failingFrom;
  const ready = h.up && failingFrom === null;
  return Response.json({
    status: ready ? 'ready' : 'unavailable',
    database: { kind: gw.db.kind, up: h.up, since: new Date(h.since).toISOString(), ...(h.error ? { error: h.error } : {}) },
    writer: { backlog: gw.writer.backlog, failingSince: failingFrom === null ? null : new Date(failingFrom).toISOString() },
  }, { status: ready ? 200 : 503, headers: { 'cache-control': 'no-store' } });
}

/** host:port/database of a DATABASE_URL without its credentials, for messages. */
function describeDatabase(url: string | undefined): string {
  if (!url) return 'embedded';
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return 'DATABASE_URL';
  }
}

/**
 * Bun's fetch runs at most BUN_CONFIG_MAX_HTTP_REQUESTS (default 256) requests at once and
 * queues the rest: with long LLM streams that silently caps concurrent calls. The variable
 * is read when the process starts, so it cannot be raised from here; `bun start` and the
 * container image set it to 65535.
 */
function warnIfFetchCapped(log: ReturnType<typeof createLogger>): void {
  const cap = Number(process.env.BUN_CONFIG_MAX_HTTP_REQUESTS || 256);
  if (cap < 4096) {
    log.warn('upstream concurrency is capped by Bun\'s fetch; start with BUN_CONFIG_MAX_HTTP_REQUESTS=65535 in the environment', { concurrent_upstream_requests: cap });
  }
}
