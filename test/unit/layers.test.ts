// The layer order of docs/architecture.md, enforced: every relative import under server/
// (type-only ones included) must point to its own layer or one below. An import that
// points up the order fails this test with the file, the import and both layers.
import { describe, expect, test } from 'bun:test';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dir, '../..');

/** Lowest first. A path belongs to the layer of its longest matching prefix. */
export const LAYERS: Array<{ name: string; paths: string[] }> = [
  { name: 'base', paths: ['db/', 'server/util/', 'server/logger.ts', 'server/config.ts', 'server/secrets/', 'server/security/', 'server/lifecycle/'] },
  { name: 'protocols', paths: ['server/relay/protocols/'] },
  { name: 'providers', paths: ['server/relay/providers/'] },
  { name: 'domain', paths: ['server/state/', 'server/billing/', 'server/limits/', 'server/routing/', 'server/auth/', 'server/importer/'] },
  { name: 'records', paths: ['server/logs/', 'server/live/'] },
  { name: 'context', paths: ['server/context.ts'] },
  { name: 'relay', paths: ['server/relay/'] },
  { name: 'endpoints', paths: ['server/relay/endpoints/'] },
  { name: 'operations', paths: ['server/channels/', 'server/alerts/'] },
  { name: 'http', paths: ['server/relay/plugin.ts', 'server/admin/', 'server/aiproxy/', 'server/metrics/', 'server/web/'] },
  { name: 'gateway', paths: ['server/gateway.ts', 'server/bootstrap.ts', 'server/main.ts', 'server/build.ts', 'server/cli/'] },
];

/**
 * Known back-arrows, each waiting on named work; this list only shrinks. Keys are
 * `from-file -> to-file`.
 */
export const KNOWN_EXCEPTIONS: Record<string, string> = {};

export function layerOf(path: string): number {
  let best = -1;
  let bestLen = -1;
  LAYERS.forEach((l, i) => {
    for (const p of l.paths) if ((path === p || path.startsWith(p)) && p.length > bestLen) { best = i; bestLen = p.length; }
  });
  return best;
}

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory()) out.push(...sources(p));
    else if (/\.tsx?$/.test(e.name) && !e.name.endsWith('.gen.ts')) out.push(p);
  }
  return out;
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s*['"](\.[^'"]+)['"]|(?:^|\n)\s*import\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)|declare\s+module\s+['"](\.[^'"]+)['"]/g;

/** Every relative import of `file` (repo-relative), as repo-relative target paths. */
export function importsOf(file: string, text = readFileSync(join(ROOT, file), 'utf8')): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3] ?? m[4]!;
    out.push(relative(ROOT, resolve(ROOT, dirname(file), spec)));
  }
  return out;
}

export function backArrows(files: string[], read?: (f: string) => string): string[] {
  const found: string[] = [];
  for (const file of files) {
    const from = layerOf(file);
    for (const target of importsOf(file, read?.(file))) {
      const to = layerOf(target);
      if (to <= from || to === -1) continue;
      const key = `${file} -> ${target}`;
      if (KNOWN_EXCEPTIONS[key]) continue;
      found.push(`${key}  (${LAYERS[from]!.name} imports ${LAYERS[to]!.name})`);
    }
  }
  return found;
}

describe('layer order (docs/architecture.md)', () => {
  const files = sources('server');

  test('every server file is in a layer', () => {
    expect(files.filter((f) => layerOf(f) === -1)).toEqual([]);
  });

  test('no import points up the order', () => {
    expect(backArrows(files)).toEqual([]);
  });

  test('the known exceptions still exist (remove an entry once its import is gone)', () => {
    const all = new Set(files.flatMap((f) => importsOf(f).map((t) => `${f} -> ${t}`)));
    expect(Object.keys(KNOWN_EXCEPTIONS).filter((k) => !all.has(k))).toEqual([]);
  });

  test('the check catches a back-arrow', () => {
    const fake = (f: string) => (f === 'server/relay/protocols/openai/types.ts' ? "import type { Gateway } from '../../../context.ts';\n" : '');
    expect(backArrows(['server/relay/protocols/openai/types.ts'], fake)).toEqual([
      'server/relay/protocols/openai/types.ts -> server/context.ts  (protocols imports context)',
    ]);
  });
});
