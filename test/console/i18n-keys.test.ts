// en.ts and zh-CN.ts carry the same keys (a key missing in one shows its path on screen), and
// every `{param}` an English message shows is shown in Chinese too (plural picks `{n|one|other}` are English only).
import { expect, test } from 'bun:test';
import { en } from '../../web/src/i18n/en.ts';
import { zhCN } from '../../web/src/i18n/zh-CN.ts';

const flat = (o: object, p = ''): Array<[string, string]> =>
  Object.entries(o).flatMap(([k, v]) => (typeof v === 'string' ? [[`${p}${k}`, v] as [string, string]] : flat(v as object, `${p}${k}.`)));

test('en and zh-CN have the same keys and placeholders', () => {
  const a = new Map(flat(en));
  const b = new Map(flat(zhCN));
  expect([...a.keys()].filter((k) => !b.has(k))).toEqual([]);
  expect([...b.keys()].filter((k) => !a.has(k))).toEqual([]);
  const params = (s: string) => [...new Set([...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();
  const mismatched = [...a].filter(([k, v]) => JSON.stringify(params(v)) !== JSON.stringify(params(b.get(k)!))).map(([k]) => k);
  expect(mismatched).toEqual([]);
});
