// Several real gateways sharing ONE Postgres database, as replicas behind a load balancer
// would: same master secret (so channel keys decrypt everywhere), own data dirs, own
// in-memory state, coordination only through the database (and Redis when REDIS_URL is set).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshPostgres } from './databases.ts';
import { launchTestGateway, type TestGateway } from './gateway.ts';

const CLUSTER_SECRET = 'test-cluster-secret-0123456789abcdef';

/** A gateway on an existing database (the second, third… instance of a cluster). */
export function startGatewayOn(databaseUrl: string, env: Record<string, string> = {}): Promise<TestGateway> {
  return launchTestGateway(mkdtempSync(join(tmpdir(), 'sb-node-')), { SWITCHBOARD_SECRET: CLUSTER_SECRET, DATABASE_URL: databaseUrl, ...env });
}

export interface Cluster {
  nodes: TestGateway[];
  databaseUrl: string;
  /** Flush every node's queued logs and settlements. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** `count` gateways on one fresh Postgres database; started one after another (migrations run once). */
export async function startCluster(count = 2, env: Record<string, string> = {}): Promise<Cluster> {
  const pg = await freshPostgres('sb_cluster');
  const nodes: TestGateway[] = [];
  for (let i = 0; i < count; i++) nodes.push(await startGatewayOn(pg.url, env));
  return {
    nodes,
    databaseUrl: pg.url,
    flush: async () => { await Promise.all(nodes.map((n) => n.flush())); },
    async close() {
      await Promise.all(nodes.map((n) => n.close()));
      await pg.drop();
    },
  };
}
