// Numbers, money, times and durations in the current locale. Money arrives as nano-USD
// bigints and is formatted without ever passing through a float.
import { nanoToUsd } from '../../server/billing/money.ts';
import { locale } from './i18n/index.ts';

type Nano = bigint | number | string | null | undefined;

export function toNano(v: Nano): bigint {
  if (v === null || v === undefined || v === '') return 0n;
  return typeof v === 'bigint' ? v : BigInt(v);
}

/** "$1.50", "$0.000002", "-$3.00". */
export function money(v: Nano): string {
  const s = nanoToUsd(toNano(v));
  return s.startsWith('-') ? `-$${s.slice(1)}` : `$${s}`;
}

/** Money for charts and summaries: rounded to 4 significant decimals, as a number. */
export function usdNumber(v: Nano): number {
  return Number(toNano(v)) / 1e9;
}

/** Money at a glance: cents for dollars, 4 decimals under $1, exact below a cent. */
export function moneyShort(v: Nano): string {
  const usd = usdNumber(v);
  if (usd !== 0 && Math.abs(usd) < 0.01) return money(v);
  const digits = Math.abs(usd) >= 1 || usd === 0 ? 2 : 4;
  return new Intl.NumberFormat(locale(), { style: 'currency', currency: 'USD', minimumFractionDigits: digits, maximumFractionDigits: digits }).format(usd);
}

/** An axis or legend value in USD: two significant digits when tiny. */
export function usdAxis(v: number): string {
  if (v === 0) return '$0';
  return Math.abs(v) < 0.01 ? `$${v.toPrecision(2)}` : `$${v.toFixed(2)}`;
}

export function num(n: number | bigint | null | undefined): string {
  return new Intl.NumberFormat(locale()).format(n ?? 0);
}

export function compact(n: number | bigint | null | undefined): string {
  return new Intl.NumberFormat(locale(), { notation: 'compact', maximumFractionDigits: 1 }).format(n ?? 0);
}

export function percent(ratio: number): string {
  return new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: 1 }).format(Number.isFinite(ratio) ? ratio : 0);
}

export function dateTime(d: Date | string | null | undefined): string {
  if (!d) return '—';
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(d));
}

export function date(d: Date | string | null | undefined): string {
  if (!d) return '—';
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium' }).format(new Date(d));
}

export function clock(d: Date | string): string {
  return new Intl.DateTimeFormat(locale(), { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }).format(new Date(d));
}

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** `yyyy-mm-dd` for <input type="date"> in local time. */
export function isoDay(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/**
 * A ledger note the server writes in English, in the console's language. Notes written by
 * people (reasons for adjustments) are shown as they are.
 */
export function ledgerNote(note: string | null, tr: (key: 'billing.notes.opening' | 'billing.notes.redeemed' | 'billing.notes.imported' | 'billing.notes.consoleTopUp', params?: Record<string, string>) => string): string {
  if (!note) return '';
  if (note === 'opening balance') return tr('billing.notes.opening');
  if (note === 'top-up from the console') return tr('billing.notes.consoleTopUp');
  const code = /^code (\S+) \(#(\d+)\)$/.exec(note);
  if (code) return tr('billing.notes.redeemed', { hint: code[1]!, id: code[2]! });
  const imported = /^One API import: balance of One API user #(\d+)$/.exec(note);
  if (imported) return tr('billing.notes.imported', { id: imported[1]! });
  return note;
}
