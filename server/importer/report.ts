// The import report: counts per table, a preview of every change, a reason for every skip.
// Built only from names and ids, and scrubbed of known secrets before it leaves the importer.

export const TABLES = [
  'groups',
  'users',
  'ledger',
  'api_keys',
  'channels',
  'channel_keys',
  'prices',
  'channel_prices',
  'redemption_codes',
  'call_logs',
] as const;
export type TableName = (typeof TABLES)[number];

export interface TableCounts {
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
}

export interface PreviewEntry {
  table: TableName;
  action: 'create' | 'update' | 'skip' | 'keep';
  /** One API's id (or model / group name for prices and groups). */
  oneapiId: number | string | null;
  label: string;
  /** Fields that differ, for updates. */
  changes?: string[];
  reason?: string;
  /** Old → new for money fields (prices per 1M tokens, balances), as USD text; old is null on create. */
  values?: ValueChange[];
  /** How the new value was arrived at (for prices: One API's ratios that produced it). */
  basis?: string;
}

export interface ValueChange {
  field: string;
  old: string | null;
  new: string;
}

export interface SkippedRow {
  table: TableName;
  oneapiId: number | string | null;
  label: string;
  reason: string;
}

export interface ImportReport {
  dryRun: boolean;
  /** The source without its password. */
  source: string;
  /** One API's QuotaPerUnit used for every quota conversion. */
  quotaPerUnit: string;
  logsDays: number;
  startedAt: string;
  finishedAt: string;
  counts: Record<TableName, TableCounts>;
  preview: PreviewEntry[];
  skipped: SkippedRow[];
  /** Decisions worth knowing: roundings, role downgrades, renamed users, defaults applied. */
  notes: string[];
}

export interface ImportProgress {
  phase: string;
  done: number;
  total: number;
}

/** Tables whose rows are too numerous or too derived to list one by one in the preview. */
const UNLISTED = new Set<TableName>(['ledger', 'channel_keys', 'call_logs']);

export class ReportBuilder {
  readonly report: ImportReport;

  constructor(init: { dryRun: boolean; source: string; logsDays: number }) {
    const counts = {} as Record<TableName, TableCounts>;
    for (const t of TABLES) counts[t] = { created: 0, updated: 0, unchanged: 0, skipped: 0 };
    this.report = {
      ...init,
      quotaPerUnit: '',
      startedAt: new Date().toISOString(),
      finishedAt: '',
      counts,
      preview: [],
      skipped: [],
      notes: [],
    };
  }

  created(table: TableName, oneapiId: number | string | null, label: string, extra?: Pick<PreviewEntry, 'values' | 'basis'>): void {
    this.report.counts[table].created++;
    if (!UNLISTED.has(table)) this.report.preview.push({ table, action: 'create', oneapiId, label, ...extra });
  }

  updated(table: TableName, oneapiId: number | string | null, label: string, changes: string[], extra?: Pick<PreviewEntry, 'values' | 'basis'>): void {
    this.report.counts[table].updated++;
    if (!UNLISTED.has(table)) this.report.preview.push({ table, action: 'update', oneapiId, label, changes, ...extra });
  }

  /** A row the import would change but was told to leave alone (e.g. --keep-prices). */
  kept(table: TableName, oneapiId: number | string | null, label: string, reason: string, extra?: Pick<PreviewEntry, 'values' | 'basis'>): void {
    this.report.counts[table].unchanged++;
    this.report.preview.push({ table, action: 'keep', oneapiId, label, reason, ...extra });
  }

  unchanged(table: TableName): void {
    this.report.counts[table].unchanged++;
  }

  skipped(table: TableName, oneapiId: number | string | null, label: string, reason: string): void {
    this.report.counts[table].skipped++;
    this.report.skipped.push({ table, oneapiId, label, reason });
    this.report.preview.push({ table, action: 'skip', oneapiId, label, reason });
  }

  note(message: string): void {
    this.report.notes.push(message);
  }

  finish(secrets: Iterable<string>): ImportReport {
    this.report.finishedAt = new Date().toISOString();
    return redactDeep(this.report, [...secrets]);
  }
}

/** Replace every known secret in a text (used on error messages and the final report). */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 6 && out.includes(s)) out = out.split(s).join('[redacted]');
  return out;
}

function redactDeep<T>(value: T, secrets: readonly string[]): T {
  const json = JSON.stringify(value);
  const clean = redact(json, secrets);
  return clean === json ? value : (JSON.parse(clean) as T);
}

/** nano-USD as exact USD text: 2_500_000_000n → "$2.5". */
export function usd(nano: bigint): string {
  const neg = nano < 0n;
  const abs = neg ? -nano : nano;
  const whole = abs / 1_000_000_000n;
  const frac = (abs % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}$${whole}${frac ? `.${frac}` : ''}`;
}
