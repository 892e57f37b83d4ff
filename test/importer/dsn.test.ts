import { describe, expect, test } from 'bun:test';
import { describeTarget, DsnError, parseDsn } from '../../server/importer/dsn.ts';

describe('parseDsn', () => {
  test('Go MySQL DSN with tcp address and params', () => {
    expect(parseDsn('oneapi:s3cr3t@tcp(db.internal:3307)/oneapi?parseTime=true&charset=utf8mb4')).toEqual({
      kind: 'mysql',
      host: 'db.internal',
      port: 3307,
      user: 'oneapi',
      password: 's3cr3t',
      database: 'oneapi',
      params: { parseTime: 'true', charset: 'utf8mb4' },
    });
  });

  test('Go MySQL DSN: password containing @ and /, default port, unix socket, no address', () => {
    expect(parseDsn('root:p@ss/w:rd@tcp(10.0.0.5)/one-api')).toMatchObject({ user: 'root', password: 'p@ss/w:rd', host: '10.0.0.5', port: 3306, database: 'one-api' });
    expect(parseDsn('root:pw@unix(/var/run/mysqld/mysqld.sock)/oneapi')).toMatchObject({ socketPath: '/var/run/mysqld/mysqld.sock', database: 'oneapi' });
    expect(parseDsn('root@tcp(localhost:3306)/oneapi')).toMatchObject({ user: 'root', password: '', host: 'localhost' });
    expect(parseDsn('root:pw@/oneapi')).toMatchObject({ kind: 'mysql', host: '127.0.0.1', port: 3306, database: 'oneapi' });
    expect(parseDsn('root:pw@tcp([::1]:3310)/oneapi')).toMatchObject({ host: '::1', port: 3310 });
  });

  test('mysql:// URL, percent-encoded credentials', () => {
    expect(parseDsn('mysql://one%40api:p%2Fw@db:3306/oneapi?charset=utf8mb4')).toEqual({
      kind: 'mysql',
      host: 'db',
      port: 3306,
      user: 'one@api',
      password: 'p/w',
      database: 'oneapi',
      params: { charset: 'utf8mb4' },
    });
    expect(parseDsn('mysql://root@localhost/oneapi')).toMatchObject({ port: 3306, password: '' });
  });

  test("AI Proxy's hybrid mysql://user:pass@tcp(host:port)/db", () => {
    expect(parseDsn('mysql://root:123456@tcp(mysql:3306)/oneapi')).toMatchObject({
      kind: 'mysql',
      host: 'mysql',
      port: 3306,
      user: 'root',
      password: '123456',
      database: 'oneapi',
    });
  });

  test('postgres:// and postgresql:// URLs pass through', () => {
    expect(parseDsn('postgres://u:p@pg:5432/oneapi?sslmode=disable')).toEqual({ kind: 'postgres', url: 'postgres://u:p@pg:5432/oneapi?sslmode=disable' });
    expect(parseDsn('postgresql://u@pg/oneapi')).toEqual({ kind: 'postgres', url: 'postgresql://u@pg/oneapi' });
  });

  test('SQLite: bare path, relative path, sqlite: and file: prefixes', () => {
    expect(parseDsn('/data/one-api.db')).toEqual({ kind: 'sqlite', path: '/data/one-api.db' });
    expect(parseDsn('./one-api.db')).toEqual({ kind: 'sqlite', path: './one-api.db' });
    expect(parseDsn('one-api.db')).toEqual({ kind: 'sqlite', path: 'one-api.db' });
    expect(parseDsn('sqlite:/data/one-api.db')).toEqual({ kind: 'sqlite', path: '/data/one-api.db' });
    expect(parseDsn('sqlite:///data/one-api.db')).toEqual({ kind: 'sqlite', path: '/data/one-api.db' });
    expect(parseDsn('file:/data/one-api.db?mode=ro')).toEqual({ kind: 'sqlite', path: '/data/one-api.db' });
  });

  test('garbage is a DsnError, empty too', () => {
    expect(() => parseDsn('')).toThrow(DsnError);
    expect(() => parseDsn('redis://x')).toThrow(DsnError);
    expect(() => parseDsn('root:pw@tcp(db:3306)/')).toThrow(DsnError);
  });

  test('describeTarget never shows the password', () => {
    for (const dsn of ['root:hunter2pw@tcp(db:3306)/oneapi', 'mysql://root:hunter2pw@db/oneapi', 'postgres://u:hunter2pw@pg:5432/oneapi']) {
      const text = describeTarget(parseDsn(dsn));
      expect(text).not.toContain('hunter2pw');
      expect(text).toContain('oneapi');
    }
  });
});
