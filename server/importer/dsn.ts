// Every DSN form operators paste from their One API setup, parsed into one shape per driver.
import { existsSync } from 'node:fs';

export interface MysqlTarget {
  kind: 'mysql';
  host: string;
  port: number;
  socketPath?: string;
  user: string;
  password: string;
  database: string;
  params: Record<string, string>;
}
export interface PostgresTarget {
  kind: 'postgres';
  url: string;
}
export interface SqliteTarget {
  kind: 'sqlite';
  path: string;
}
export type SourceTarget = MysqlTarget | PostgresTarget | SqliteTarget;

export class DsnError extends Error {
  override name = 'DsnError';
}

export function parseDsn(input: string): SourceTarget {
  const dsn = input.trim();
  if (!dsn) throw new DsnError('empty DSN');
  const lower = dsn.toLowerCase();
  if (lower.startsWith('postgres://') || lower.startsWith('postgresql://')) return { kind: 'postgres', url: dsn };
  if (lower.startsWith('mysql://') || lower.startsWith('mariadb://')) {
    const rest = dsn.slice(dsn.indexOf('://') + 3);
    // AI Proxy documents `mysql://user:pass@tcp(host:3306)/db`: a Go DSN behind a URL scheme.
    if (/@(tcp|unix)\(|^(tcp|unix)\(/i.test(rest)) return parseGoMysql(rest);
    return parseMysqlUrl(dsn);
  }
  for (const prefix of ['sqlite://', 'sqlite3://', 'sqlite:', 'file://', 'file:']) {
    if (lower.startsWith(prefix)) return { kind: 'sqlite', path: stripQuery(dsn.slice(prefix.length)) };
  }
  if (looksLikeGoMysql(dsn)) return parseGoMysql(dsn);
  if (existsSync(dsn) || /\.(db|sqlite3?)$/i.test(dsn) || dsn.startsWith('/') || dsn.startsWith('.')) {
    return { kind: 'sqlite', path: dsn };
  }
  throw new DsnError('unrecognised DSN: expected a MySQL DSN, a postgres:// URL or a path to a SQLite file');
}

/** The DSN without its password: safe for reports and logs. */
export function describeTarget(t: SourceTarget): string {
  switch (t.kind) {
    case 'mysql':
      return `mysql ${t.user}@${t.socketPath ?? `${t.host}:${t.port}`}/${t.database}`;
    case 'postgres': {
      try {
        const u = new URL(t.url);
        return `postgres ${decodeURIComponent(u.username)}@${u.host}${u.pathname}`;
      } catch {
        return 'postgres';
      }
    }
    case 'sqlite':
      return `sqlite ${t.path}`;
  }
}

function stripQuery(path: string): string {
  const q = path.indexOf('?');
  return q >= 0 ? path.slice(0, q) : path;
}

function looksLikeGoMysql(dsn: string): boolean {
  return /@(tcp|unix)\(/i.test(dsn) || /^(tcp|unix)\(/i.test(dsn) || /^[^/\s]*@\/\w/.test(dsn);
}

/** Go's `[user[:pass]@][net[(addr)]]/db[?params]`, split the way go-sql-driver/mysql does. */
function parseGoMysql(dsn: string): MysqlTarget {
  // The password or a unix socket path may contain '/', so the database starts after the last one.
  const slash = dsn.lastIndexOf('/');
  if (slash < 0) throw new DsnError('MySQL DSN has no /database part');
  const head = dsn.slice(0, slash);
  const tail = dsn.slice(slash + 1);
  const [database = '', query = ''] = splitOnce(tail, '?');
  if (!database) throw new DsnError('MySQL DSN has no database name');

  const at = head.lastIndexOf('@');
  const cred = at >= 0 ? head.slice(0, at) : '';
  const net = at >= 0 ? head.slice(at + 1) : head;
  const [user = '', password = ''] = splitOnce(cred, ':');

  const target: MysqlTarget = { kind: 'mysql', host: '127.0.0.1', port: 3306, user, password, database, params: parseQuery(query) };
  const m = /^(\w+)(?:\((.*)\))?$/.exec(net);
  if (net && !m) throw new DsnError('MySQL DSN has an unreadable network address');
  const proto = m?.[1]?.toLowerCase() ?? 'tcp';
  const addr = m?.[2] ?? '';
  if (proto === 'unix') {
    target.socketPath = addr || '/tmp/mysql.sock';
  } else if (addr) {
    const { host, port } = splitHostPort(addr);
    target.host = host;
    target.port = port;
  }
  return target;
}

function parseMysqlUrl(dsn: string): MysqlTarget {
  let u: URL;
  try {
    u = new URL(dsn.replace(/^mariadb:/i, 'mysql:'));
  } catch {
    throw new DsnError('unreadable mysql:// URL');
  }
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!database) throw new DsnError('MySQL URL has no database name');
  const params: Record<string, string> = {};
  u.searchParams.forEach((v, k) => (params[k] = v));
  return {
    kind: 'mysql',
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database,
    params,
  };
}

function splitHostPort(addr: string): { host: string; port: number } {
  const v6 = /^\[(.*)\](?::(\d+))?$/.exec(addr);
  if (v6) return { host: v6[1] ?? '', port: v6[2] ? Number(v6[2]) : 3306 };
  const [host = '', port] = splitOnce(addr, ':');
  return { host: host || '127.0.0.1', port: port ? Number(port) : 3306 };
}

function splitOnce(s: string, sep: string): [string, string] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i + 1)];
}

function parseQuery(q: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of q.split('&')) {
    if (!part) continue;
    const [k, v] = splitOnce(part, '=');
    out[decodeURIComponent(k)] = decodeURIComponent(v);
  }
  return out;
}
