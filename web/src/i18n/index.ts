// zh-CN and en. The locale follows the browser until the user picks one (kept in
// localStorage). `t('keys.create')` is reactive: it re-reads the locale signal.
import { createSignal } from 'solid-js';
import { en } from './en.ts';
import { zhCN } from './zh-CN.ts';

export type Locale = 'en' | 'zh-CN';
export const LOCALES: Locale[] = ['en', 'zh-CN'];

type Paths<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${P}${K}` : Paths<T[K], `${P}${K}.`>;
}[keyof T & string];
export type MessageKey = Paths<typeof en>;

const DICTS: Record<Locale, unknown> = { en, 'zh-CN': zhCN };
const STORAGE_KEY = 'sb.locale';

function browserLocale(): Locale {
  const langs = navigator.languages?.length ? navigator.languages : [navigator.language];
  return langs.some((l) => l.toLowerCase().startsWith('zh')) ? 'zh-CN' : 'en';
}

function storedLocale(): Locale | null {
  const v = localStorage.getItem(STORAGE_KEY);
  return LOCALES.includes(v as Locale) ? (v as Locale) : null;
}

const [locale, setLocaleSignal] = createSignal<Locale>(storedLocale() ?? browserLocale());
export { locale };

export function setLocale(l: Locale): void {
  localStorage.setItem(STORAGE_KEY, l);
  setLocaleSignal(l);
}

function lookup(dict: unknown, key: string): string | undefined {
  let node = dict;
  for (const part of key.split('.')) node = (node as Record<string, unknown> | undefined)?.[part];
  return typeof node === 'string' ? node : undefined;
}

/**
 * Translate; `{name}` placeholders take `params`, and `{n|one|other}` picks the plural form
 * for the number `n` (English: "1 model", "2 models"; Chinese messages need none).
 */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  const text = lookup(DICTS[locale()], key) ?? lookup(en, key) ?? key;
  if (!params) return text;
  return text
    .replace(/\{(\w+)\|([^|}]*)\|([^}]*)\}/g, (m, p: string, one: string, other: string) =>
      (p in params ? (plurals().select(Number(String(params[p]).replace(/[^\d.-]/g, ''))) === 'one' ? one : other) : m))
    .replace(/\{(\w+)\}/g, (m, p: string) => (p in params ? String(params[p]) : m));
}

let pluralRules: { locale: Locale; rules: Intl.PluralRules } | null = null;
function plurals(): Intl.PluralRules {
  if (pluralRules?.locale !== locale()) pluralRules = { locale: locale(), rules: new Intl.PluralRules(locale()) };
  return pluralRules.rules;
}
