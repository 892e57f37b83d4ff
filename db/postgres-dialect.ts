// Kysely dialect over postgres.js that never uses `sql.reserve()`. The published dialect
// (kysely-postgres-js) reserves a pooled connection for every query; postgres.js strands a
// queued reserve forever when the connection it waits for is closed by the server
// (porsager/postgres #1195, #1208), which wedged the gateway after a database restart.
// Here a single query goes through the pool's own queue (`sql.unsafe`) and a transaction
// through `sql.begin`, whose connection loss rejects. Every statement has a deadline: the
// server's statement_timeout (set per connection in connect.ts) plus a client-side timer
// for a socket that never answers. Failures that mean "server gone" feed DatabaseHealth,
// and while it is down queries fail at once instead of queueing.
import {
  type CompiledQuery, type DatabaseConnection, type Dialect, type Driver, type Kysely, PostgresAdapter,
  PostgresIntrospector, PostgresQueryCompiler, type QueryResult, type TransactionSettings,
} from 'kysely';
import type postgres from 'postgres';
import { isCopyIn } from './copy.ts';
import { DatabaseHealth, DatabaseUnavailable, isUnreachable } from './health.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any custom type map (e.g. int8 as bigint)
type Sql = postgres.Sql<any>;
type TxSql = postgres.TransactionSql<any>;

export interface PostgresDialectOptions {
  client: Sql;
  /** How many pooled connections have closed so far (counted from postgres.js's `onclose`). */
  closes: () => number;
  health: DatabaseHealth;
  /** Client-side deadline per statement (0: none). */
  timeoutMs: number;
}

/** How long a COPY past its deadline waits for the server to answer the cancel request. */
const CANCEL_GRACE_MS = 5_000;
/** How long after the server's own statement_timeout a COPY's client-side cancel goes out. */
const COPY_CANCEL_AFTER_MS = 1_000;

/** Rejected into a transaction's body to make postgres.js roll it back. */
class Rollback extends Error {}

/** Race `work` against a timer; on expiry `onTimeout` runs (e.g. cancel) and the promise rejects. */
function withDeadline<T>(work: Promise<T>, ms: number, what: string, onTimeout?: () => void): Promise<T> {
  if (!ms) return work;
  let timer: ReturnType<typeof setTimeout>;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      try { onTimeout?.(); } catch { /* best effort */ }
      reject(new DatabaseUnavailable(`database did not answer ${what} within ${ms} ms`));
    }, ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

interface OpenTx {
  sql: TxSql;
  end: (commit: boolean) => void;
  done: Promise<unknown>;
  /** `done` has settled: postgres.js gave the connection up (closed under us) or the body ended. */
  settled: boolean;
  /** The connection is gone: nothing more may be sent on it, not even ROLLBACK. */
  dead: boolean;
  /** `closes()` when last checked. */
  epoch: number;
}

// postgres.js sends a transaction's statements straight to its connection object, and that
// object, once its socket closed, schedules a write on a null socket: an uncaught TypeError
// that ends the process (issue 20, row 2). A transaction whose connection is gone is
// therefore abandoned, never written to again; its promise is left to the garbage collector.
class PostgresConnection implements DatabaseConnection {
  private tx: OpenTx | null = null;

  constructor(private readonly o: PostgresDialectOptions) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    this.o.health.check();
    if (this.tx) await this.usable(this.tx);
    const tx = this.tx;
    const target = tx?.sql ?? this.o.client;
    if (isCopyIn(query)) return this.copyIn(target, query.sql, query.parameters[0], tx);
    const pending = target.unsafe(query.sql, query.parameters as postgres.ParameterOrJSON<never>[], { prepare: true });
    try {
      const result = await withDeadline(pending as Promise<postgres.RowList<postgres.Row[]>>, this.o.timeoutMs, 'a query', () => void pending.cancel());
      const { command, count } = result;
      return {
        numAffectedRows: command === 'INSERT' || command === 'UPDATE' || command === 'DELETE' || command === 'MERGE' ? BigInt(count) : undefined,
        rows: Array.from(result) as R[],
      };
    } catch (error) {
      if (tx && isUnreachable(error)) tx.dead = true;
      throw this.fail(error);
    }
  }

  /**
   * `COPY … FROM STDIN` (db/copy.ts) with `data` as its rows: one write, then the server's
   * completion, under the same deadline as a statement. A failed COPY (a unique violation,
   * say) rejects with the server's error, as a statement does.
   */
  private async copyIn<R>(target: Sql | TxSql, statement: string, data: string, tx: OpenTx | null): Promise<QueryResult<R>> {
    const pending = target.unsafe(statement);
    // postgres.js 3.4.9 never settles the stream when the server fails the COPY after its
    // data (porsager/postgres #1173, fix in PR #1183): the error only reaches the query's
    // own `reject`, whose promise has already resolved to the stream. Catch it there.
    const failed = Promise.withResolvers<never>();
    failed.promise.catch(() => {});
    const query = pending as unknown as { reject: (error: unknown) => unknown; active: boolean };
    const reject = query.reject.bind(query);
    query.reject = (error) => { failed.reject(error); return reject(error); };
    const done = (async () => {
      const stream = await pending.writable();
      await Promise.race([failed.promise, new Promise<void>((resolve, reject) => {
        stream.on('error', reject);
        stream.on('finish', resolve);
        stream.end(data);
      })]);
    })();
    done.catch(() => {});
    try {
      // The server's statement_timeout (the same deadline, connect.ts) ends a slow COPY
      // itself, with no race; the client cancels only if nothing came a second later. (A
      // cancel request sent as the statement ends can land on the next one instead.)
      await withDeadline(done, this.o.timeoutMs && this.o.timeoutMs + COPY_CANCEL_AFTER_MS, 'a COPY', () => {
        // postgres.js sends a cancel request only for an active query, and a COPY stops being
        // one once the server asks for its data: mark it active so the cancel goes out.
        query.active = true;
        void pending.cancel();
      });
      return { rows: [] };
    } catch (error) {
      if (error instanceof DatabaseUnavailable && !tx?.dead) {
        // Past the deadline, with the cancel sent. A server that answers it leaves the
        // connection usable: the transaction then rolls back on it like after any failed
        // statement. Abandoning it instead left a backend idle in an aborted transaction
        // for good (the COPY's late messages keep its idle timeout from firing), and with
        // it a pool slot. Only silence means the connection is gone.
        const answer = await withDeadline(done, Math.min(CANCEL_GRACE_MS, this.o.timeoutMs), 'a COPY cancel').then(() => null, (e: unknown) => e);
        if (answer === null) return { rows: [] };
        if (!isUnreachable(answer)) throw this.fail(answer);
      }
      if (tx && isUnreachable(error)) tx.dead = true;
      throw this.fail(error);
    }
  }

  /**
   * Throws if the transaction's connection is gone. A connection closing anywhere in the pool
   * bumps `closes()`; then one macrotask is enough for postgres.js to have settled `done` if
   * the closed one was ours.
   */
  private async usable(tx: OpenTx): Promise<void> {
    if (!tx.dead && tx.epoch !== this.o.closes()) {
      await new Promise((r) => setImmediate(r));
      tx.epoch = this.o.closes();
      if (tx.settled) tx.dead = true;
    }
    if (tx.dead || tx.settled) {
      tx.dead = true;
      throw this.fail(new DatabaseUnavailable('database connection lost during a transaction'));
    }
  }

  /** Report a failure to the health monitor; "server gone" errors become DatabaseUnavailable. */
  private fail(error: unknown): unknown {
    this.o.health.failed(error);
    if (error instanceof DatabaseUnavailable || !isUnreachable(error)) return error;
    const e = error as { code?: string; message?: string };
    return new DatabaseUnavailable(`database unavailable: ${e.code ?? ''}${e.message && e.message !== e.code ? ` ${e.message}` : ''}`.trim(), error);
  }

  async *streamQuery<R>(query: CompiledQuery, chunkSize = 1000): AsyncIterableIterator<QueryResult<R>> {
    const { rows } = await this.executeQuery<R>(query);
    for (let i = 0; i < rows.length; i += chunkSize) yield { rows: rows.slice(i, i + chunkSize) };
  }

  async begin(settings: TransactionSettings): Promise<void> {
    this.o.health.check();
    const mode = [settings.isolationLevel ? `isolation level ${settings.isolationLevel}` : '', settings.accessMode ?? ''].join(' ').trim();
    const ready = Promise.withResolvers<TxSql>();
    const epoch = this.o.closes();
    let tx: OpenTx | null = null;
    const done: Promise<unknown> = this.o.client.begin(mode, (sql) => new Promise<void>((resolve, reject) => {
      tx = { sql, end: (commit) => (commit ? resolve() : reject(new Rollback())), done, settled: false, dead: false, epoch };
      this.tx = tx;
      ready.resolve(sql);
    }));
    const settle = () => { if (tx) tx.settled = true; };
    // A failed begin (or a connection lost before the body ran) ends the wait too.
    done.then(settle, (error) => { settle(); ready.reject(error); });
    try {
      await withDeadline(ready.promise, this.o.timeoutMs, 'BEGIN');
    } catch (error) {
      done.catch(() => {});
      throw this.fail(error);
    }
  }

  async finish(commit: boolean): Promise<void> {
    const tx = this.tx;
    this.tx = null;
    if (!tx) return;
    if (!tx.dead) await this.usable(tx).catch(() => {});
    if (tx.dead) {
      // Never send COMMIT or ROLLBACK to a dead connection; the server rolled it back.
      if (commit) throw this.fail(new DatabaseUnavailable('database connection lost before COMMIT'));
      return;
    }
    tx.end(commit);
    try {
      await withDeadline(tx.done, this.o.timeoutMs, commit ? 'COMMIT' : 'ROLLBACK');
    } catch (error) {
      if (error instanceof Rollback) return;
      tx.done.catch(() => {});
      throw this.fail(error);
    }
  }

  /** Released with a transaction still open (the caller never finished it): roll it back. */
  release(): void {
    if (this.tx) void this.finish(false).catch(() => {});
  }
}

class PostgresDriver implements Driver {
  constructor(private readonly o: PostgresDialectOptions) {}
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    return new PostgresConnection(this.o);
  }
  async beginTransaction(conn: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    await (conn as PostgresConnection).begin(settings);
  }
  async commitTransaction(conn: DatabaseConnection): Promise<void> {
    await (conn as PostgresConnection).finish(true);
  }
  async rollbackTransaction(conn: DatabaseConnection): Promise<void> {
    await (conn as PostgresConnection).finish(false);
  }
  async releaseConnection(conn: DatabaseConnection): Promise<void> {
    (conn as PostgresConnection).release();
  }
  async destroy(): Promise<void> {
    this.o.health.close();
    // Give running statements a moment, then drop the sockets: shutdown must not hang on a dead server.
    await this.o.client.end({ timeout: 2 });
  }
}

export class PostgresDialect implements Dialect {
  constructor(private readonly o: PostgresDialectOptions) {}
  createAdapter() { return new PostgresAdapter(); }
  createDriver() { return new PostgresDriver(this.o); }
  createQueryCompiler() { return new PostgresQueryCompiler(); }
  createIntrospector(db: Kysely<any>) { return new PostgresIntrospector(db); }
}
