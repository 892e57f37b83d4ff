// Assembles a running gateway: database, caches, batch writer, HTTP server. `startGateway`
// is what `bun start` runs and what tests call to get a real server on a random port.
import { join } from 'node:path';
import { Elysia } from 'elysia';
import { connect, migrate } from '../db/connect.ts';
import { adminPlugin } from './admin/plugin.ts';
import { Auth } from './auth/index.ts';
import { Accounts } from './billing/accounts.ts';
import { redeemPlugin } from './billing/redeem-route.ts';
import { seedDefaultPrices } from './billing/seed-prices.ts';
import { ensureAdminKey, ensureRoot } from './bootstrap.ts';
import { createLimiter } from './limits/index.ts';
import type { Config } from './config.ts';
import type { Gateway } from './context.ts';
import { createLogger } from './logger.ts';
import { Journal } from './logs/journal.ts';
import { LogWriter } from './logs/writer.ts';
import { LiveBus } from './live/bus.ts';
import { startFanout } from './live/fanout.ts';
import { connectLiveSources } from './live/sources.ts';
import { liveWebSocketPlugin } from './live/ws.ts';
import { logsHttpPlugin } from './logs/http.ts';
import { marginCsvPlugin } from './admin/margin-csv.ts';
import { ensureLogPartitions, startLogMaintenance } from './logs/maintenance.ts';
import { LogSettingsCache } from './logs/settings.ts';
import { createGatewayMetrics } from './metrics/gateway-metrics.ts';
import { metricsPlugin } from './metrics/plugin.ts';
import { relayPlugin } from './relay/plugin.ts';
import { webPlugin } from './web/plugin.ts';
import { startChannelJobs } from './channels/jobs.ts';
import { startAlerts } from './alerts/index.ts';
import { startBalanceSync } from './billing/balance-sync.ts';
import { createGatewayEvents } from './routing/events.ts';
import { RoutingState } from './routing/state.ts';
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

export async function startGateway(config: Config): Promise<RunningGateway> {
  const log = createLogger(config.logLevel);
  warnIfFetchCapped(log);
  const master = loadMasterSecret(config.secret, join(config.dataDir, 'secret.key'));
  if (master.generated) log.warn('generated a master secret for upstream keys; back it up', { file: join(config.dataDir, 'secret.key') });
  const box = new SecretBox(master.secret);
  config = { ...config, adminKey: ensureAdminKey(config.adminKey, config.dataDir) };

  const db = await connect({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const applied = await migrate(db.db);
  if (applied.length) log.info('applied migrations', { migrations: applied });
  await ensureRoot(db.db, config.adminPassword, log);
  await seedDefaultPrices(db.db, log);

  const instanceId = randomToken(12);
  const dbLock = new Mutex();
  const accounts = new Accounts(db.db, dbLock, instanceId, log);
  const limiter = await createLimiter(db.db, config.redisUrl, log);
  const store = new Store(db.db, box, log);
  const journal = new Journal(join(config.dataDir, 'journal'), process.env.JOURNAL_FSYNC === '1', log);
  const writer = new LogWriter(db.db, accounts, dbLock, log, config.flushIntervalMs, journal);
  store.onReload.push(() => dbLock.run(() => accounts.refresh(db.db)));

  const gw: Gateway = {
    config, db, store, accounts, limiter, writer, log, box, dbLock, inflight: new Set(),
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
  await store.reload();
  // Another instance changed something: rebuild our caches too.
  const unlisten = await db.listen(INVALIDATE_CHANNEL, (payload) => {
    if (payload !== instanceId) void store.reload();
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
    .onError(({ code, error }) => {
      if (code === 'NOT_FOUND') return Response.json({ error: { message: 'Not found.', type: 'invalid_request_error', code: 'not_found', param: null } }, { status: 404 });
      // A Host header that makes no URL (e.g. with a space) is the client's fault, not ours.
      if ((error as { code?: unknown }).code === 'ERR_INVALID_URL') return Response.json({ error: { message: 'Malformed request URL or Host header.', type: 'invalid_request_error', code: 'invalid_url', param: null } }, { status: 400 });
      log.error('unhandled request error', { code, error });
      return Response.json({ error: { message: 'Internal gateway error.', type: 'server_error', code: 'internal_error', param: null } }, { status: 500 });
    })
    .get('/healthz', async () => {
      try {
        await db.db.selectNoFrom((eb) => eb.val(1).as('ok')).execute();
        return Response.json({ status: 'ok', database: db.kind });
      } catch (e) {
        return Response.json({ status: 'error', database: db.kind, error: (e as Error).message }, { status: 503 });
      }
    })
    .use(relayPlugin(gw))
    .use(adminPlugin(gw))
    .use(redeemPlugin(gw))
    .use(liveWebSocketPlugin(gw))
    .use(logsHttpPlugin(gw))
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
        await server.stop(false);
        // Let in-flight calls and streams finish, up to the grace period.
        const deadline = new Promise((r) => setTimeout(r, config.shutdownGraceMs));
        await Promise.race([Promise.allSettled([...gw.inflight]), deadline]);
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
        log.info('switchboard stopped');
      })();
      return stopping;
    },
  };
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
