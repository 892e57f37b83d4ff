// Where console files come from: the files embedded in a compiled binary, or web/dist on
// disk. Only paths inside web/dist are ever resolved.
import { existsSync, statSync } from 'node:fs';
import { join, normalize, resolve, sep } from 'node:path';
import { embeddedAssets } from './embedded.gen.ts';

export const distDir = resolve(import.meta.dir, '../../web/dist');

export interface Asset {
  file: Blob;
  /** Vite's content-hashed output under /assets/: safe to cache forever. */
  immutable: boolean;
}

/** The asset for a URL path, or null. `..`, encoded separators and dotfiles never match. */
export function findAsset(pathname: string): Asset | null {
  let path: string;
  try {
    path = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (path === '/' || path === '') path = '/index.html';
  if (path.includes('\0') || path.includes('\\') || path.split('/').some((s) => s === '..' || s.startsWith('.'))) return null;
  const immutable = path.startsWith('/assets/');
  if (embeddedAssets) {
    const embedded = embeddedAssets[path];
    return embedded ? { file: Bun.file(embedded), immutable } : null;
  }
  const full = normalize(join(distDir, path));
  if (!full.startsWith(distDir + sep) || !existsSync(full) || !statSync(full).isFile()) return null;
  return { file: Bun.file(full), immutable };
}
