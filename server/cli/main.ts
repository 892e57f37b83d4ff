// `bun run cli <command>`: scripts the admin API of a running server through the typed
// client (embedded PGlite allows one process per data directory, so the CLI never
// opens the database itself). SWITCHBOARD_URL defaults to http://127.0.0.1:$PORT;
// ADMIN_KEY defaults to the key the server generated in DATA_DIR/admin-key.
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { TRPCClientError } from '@trpc/client';
import { createSwitchboardClient } from '../../client/index.ts';
import { nanoToUsd } from '../billing/money.ts';
import { adminKeyFile } from '../bootstrap.ts';

const USAGE = `usage: bun run cli <command>
  channel add --name N --type T --base-url URL --key K --models a,b [--priority P] [--weight W] [--mapping '{"a":"b"}'] [--groups g1,g2]
  channel list [--json]
  key create --name N [--user U] [--budget-usd X] [--models a,b]
  key list [--json]
  user create --name N [--password P] [--role user|admin] [--group G] [--balance-usd X] [--unlimited]
  user list [--json]
  price set MODEL --input-usd-per-m X --output-usd-per-m Y [--cache-read-usd-per-m Z]
  price list [--json]
  logs [--limit N] [--json]
  import oneapi --dsn DSN [--dry-run] [--keep-prices] [--logs-days N] [--json]   (import oneapi --help for details)`;

const IMPORT_HELP = `usage: bun run cli import oneapi --dsn DSN [--dry-run] [--keep-prices] [--logs-days N] [--json]

Copy a One API (or New API) deployment into the running Switchboard: channels with their keys and
settings, users (old passwords keep working), tokens, balances, redemption codes, group ratios and
every price One API charged. Safe to re-run: see docs/oneapi-import.md for what a re-run changes.

  --dsn DSN        the One API database, in any form One API's SQL_DSN accepts:
                     MySQL       user:pass@tcp(host:3306)/oneapi   or  mysql://user:pass@host:3306/oneapi
                     PostgreSQL  postgres://user:pass@host:5432/oneapi
                     SQLite      /abs/path/one-api.db  or  sqlite:/abs/path/one-api.db
                   The server opens it, not this CLI: a relative SQLite path is resolved in the
                   server's working directory, so pass an absolute path.
  --dry-run        compute everything and show every change (prices and balances old -> new), write nothing
  --keep-prices    keep prices Switchboard already has; by default they are replaced by what One API charged
  --logs-days N    also copy consume logs from the last N days (default 0: none)
  --json           print the whole report as JSON`;

function fail(msg: string): never {
  process.stderr.write(`${msg}\n`);
  process.exit(2);
}

const { positionals, values } = parseArgs({
  args: process.argv.slice(2),
  allowPositionals: true,
  options: {
    name: { type: 'string' }, type: { type: 'string' }, 'base-url': { type: 'string' }, key: { type: 'string' },
    models: { type: 'string' }, priority: { type: 'string' }, weight: { type: 'string' }, mapping: { type: 'string' },
    groups: { type: 'string' }, user: { type: 'string' }, 'budget-usd': { type: 'string' }, password: { type: 'string' },
    role: { type: 'string' }, group: { type: 'string' }, 'balance-usd': { type: 'string' }, unlimited: { type: 'boolean' },
    'input-usd-per-m': { type: 'string' }, 'output-usd-per-m': { type: 'string' }, 'cache-read-usd-per-m': { type: 'string' },
    limit: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    dsn: { type: 'string' }, 'dry-run': { type: 'boolean' }, 'logs-days': { type: 'string' }, 'keep-prices': { type: 'boolean' },
  },
});

const dataDir = process.env.DATA_DIR || './data';
const token = process.env.ADMIN_KEY || (existsSync(adminKeyFile(dataDir)) ? readFileSync(adminKeyFile(dataDir), 'utf8').trim() : undefined);
const url = process.env.SWITCHBOARD_URL || `http://127.0.0.1:${process.env.PORT || 3000}`;
const sb = createSwitchboardClient({ url, token });

const int = (s: string | undefined, name: string) => {
  if (s === undefined) return undefined;
  if (!/^-?\d+$/.test(s)) fail(`--${name} must be an integer`);
  return Number(s);
};
const json = (x: unknown) => JSON.stringify(x, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2);
const print = (rows: unknown[], line: (r: any) => string) => {
  process.stdout.write(values.json ? json(rows) + '\n' : rows.map(line).join('\n') + (rows.length ? '\n' : ''));
};

async function run(): Promise<void> {
  const [group, cmd, arg] = positionals;
  if (values.help && group === 'import') return void process.stdout.write(`${IMPORT_HELP}\n`);
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  if (!group) fail(USAGE);
  switch (`${group} ${cmd ?? ''}`.trim()) {
    case 'channel add': {
      let mapping: Record<string, string> | undefined;
      if (values.mapping) {
        try { mapping = JSON.parse(values.mapping); } catch { fail('--mapping must be a JSON object like {"a":"b"}'); }
      }
      const r = await sb.channels.create.mutate({
        name: values.name ?? fail('--name is required'), type: int(values.type, 'type') ?? fail('--type is required'),
        baseUrl: values['base-url'] ?? '', key: values.key ?? fail('--key is required'), models: values.models ?? fail('--models is required'),
        priority: int(values.priority, 'priority'), weight: int(values.weight, 'weight'), mapping,
        groups: values.groups,
      });
      process.stdout.write(`${r.id}\n`);
      return;
    }
    case 'channel list':
      return print(await sb.channels.list.query(), (c) =>
        `${c.id}\t${c.name}\ttype=${c.type}\t${c.status === 1 ? 'enabled' : 'disabled'}\tp=${c.priority} w=${c.weight}\t${c.models.join(',')}\tkeys=${c.keys.map((k: { key_hint: string }) => k.key_hint).join(' ')}`);
    case 'key create': {
      const r = await sb.keys.create.mutate({ name: values.name ?? fail('--name is required'), user: values.user, budgetUsd: values['budget-usd'], models: values.models });
      process.stdout.write(`${r.key}\n`);
      return;
    }
    case 'key list':
      return print(await sb.keys.list.query(), (k) =>
        `${k.id}\t${k.name}\t${k.key_hint}\tuser=${k.user_id}\tused=$${nanoToUsd(k.used)}${k.budget !== null ? ` budget=$${nanoToUsd(k.budget)}` : ''}`);
    case 'user create': {
      const r = await sb.users.create.mutate({
        username: values.name ?? fail('--name is required'), password: values.password, role: values.role as 'user' | 'admin' | undefined,
        group: values.group, balanceUsd: values['balance-usd'], unlimited: values.unlimited,
      });
      process.stdout.write(`${r.id}\n`);
      return;
    }
    case 'user list':
      return print(await sb.users.list.query(), (u) => `${u.id}\t${u.username}\t${u.role}\tbalance=$${nanoToUsd(u.balance)}${u.unlimited ? ' (unlimited)' : ''}`);
    case 'price set': {
      const model = arg ?? fail('price set MODEL --input-usd-per-m X --output-usd-per-m Y');
      await sb.prices.set.mutate({
        model, inputUsdPerM: values['input-usd-per-m'] ?? fail('--input-usd-per-m is required'),
        outputUsdPerM: values['output-usd-per-m'] ?? fail('--output-usd-per-m is required'), cacheReadUsdPerM: values['cache-read-usd-per-m'],
      });
      process.stdout.write(`${model}\n`);
      return;
    }
    case 'price list':
      return print(await sb.prices.list.query(), (p) => `${p.model}\tin=$${nanoToUsd(p.input)}/M\tout=$${nanoToUsd(p.output)}/M`);
    case 'logs': {
      const { rows } = await sb.logs.list.query({ limit: int(values.limit, 'limit') ?? 20 });
      return print(rows, (l) =>
        `${new Date(l.created_at).toISOString()}\t${l.request_id}\t${l.status}\t${l.model}\tch=${l.channel_id ?? '-'}\t${l.prompt_tokens}+${l.completion_tokens} tok\t$${nanoToUsd(l.cost)}\t${l.latency_ms}ms${l.error_message ? `\t${l.error_message}` : ''}`);
    }
    case 'import oneapi': {
      const report = await sb.import.oneapi.mutate({
        dsn: values.dsn ?? fail('--dsn is required (a MySQL, PostgreSQL or SQLite DSN of the One API database)'),
        dryRun: values['dry-run'] ?? false, logsDays: int(values['logs-days'], 'logs-days') ?? 0,
        prices: values['keep-prices'] ? 'keep' : 'replace',
      });
      if (values.json) return void process.stdout.write(json(report) + '\n');
      const lines = [`${report.dryRun ? 'dry run (nothing written)' : 'imported'} from ${report.source}`];
      for (const [table, c] of Object.entries(report.counts)) {
        lines.push(`${table.padEnd(17)} created=${c.created} updated=${c.updated} unchanged=${c.unchanged} skipped=${c.skipped}`);
      }
      for (const p of report.preview) {
        if (!p.values?.length) continue;
        const change = p.values.map((v) => `${v.field} ${v.old ?? '-'} -> ${v.new}`).join(', ');
        lines.push(`${p.action} ${p.table} ${p.label}: ${change}${p.basis ? ` (${p.basis})` : ''}${p.reason ? ` [${p.reason}]` : ''}`);
      }
      for (const s of report.skipped) lines.push(`skipped ${s.table} #${s.oneapiId} (${s.label}): ${s.reason}`);
      for (const n of report.notes) lines.push(`note: ${n}`);
      process.stdout.write(lines.join('\n') + '\n');
      return;
    }
    default:
      fail(USAGE);
  }
}

run().catch((e) => {
  if (e instanceof TRPCClientError) {
    const fields = (e.data as { fields?: Record<string, string> } | undefined)?.fields;
    fail(`error: ${e.message}${fields ? '\n' + Object.entries(fields).map(([k, v]) => `  ${k}: ${v}`).join('\n') : ''}`);
  }
  if ((e as { code?: string }).code === 'ConnectionRefused' || /Unable to connect|ECONNREFUSED/.test(String(e))) {
    fail(`error: cannot reach Switchboard at ${url}; is it running? (set SWITCHBOARD_URL)`);
  }
  fail(`error: ${(e as Error).message}`);
});
