// The core never names a vendor: everything about one lives in its folder under
// server/relay/providers/ (docs/vendors.md). This reads the core's sources for vendor ids
// as string literals and for comparisons on a provider's id. Ids that are also protocol
// names (openai, anthropic, gemini) may appear as protocols, never compared to a provider id.
import { expect, test } from 'bun:test';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { providers } from '../../server/relay/providers/registry.ts';

const ROOT = resolve(import.meta.dir, '../..');
const CORE = ['server/relay', 'server/billing', 'server/routing', 'server/limits', 'server/channels', 'server/state', 'server/logs', 'server/live'];
const PROTOCOL_NAMES = new Set(['openai', 'anthropic', 'gemini', 'responses']);

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory()) { if (p !== 'server/relay/providers') out.push(...sources(p)); } else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

test('no core file names a vendor', () => {
  const ids = providers.map((p) => p.id).filter((id) => !PROTOCOL_NAMES.has(id));
  expect(ids.length).toBeGreaterThan(20);
  const found: string[] = [];
  for (const file of sources('server').filter((f) => CORE.some((c) => f.startsWith(`${c}/`)))) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    for (const id of ids) if (text.includes(`'${id}'`) || text.includes(`"${id}"`)) found.push(`${file}: '${id}'`);
    if (/provider\.id\s*[!=]==|\.id\s*===\s*'(openai|anthropic|gemini)'/.test(text)) found.push(`${file}: compares a provider id`);
    if (/providers\/(?!types\.ts|registry\.ts)[a-z-]+\//.test(text)) found.push(`${file}: imports a vendor folder`);
  }
  expect(found).toEqual([]);
});
