// `bun run build`: the console's static assets (when web/ has them) and a single
// executable at dist/switchboard with migrations, PGlite and the console embedded.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dir, '..');

async function run(cmd: string[]): Promise<void> {
  const p = Bun.spawn(cmd, { cwd: root, stdout: 'inherit', stderr: 'inherit' });
  if ((await p.exited) !== 0) throw new Error(`failed: ${cmd.join(' ')}`);
}

if (existsSync(join(root, 'web/build.ts'))) await run(['bun', 'web/build.ts']);
await run(['bun', 'build', '--compile', '--minify', '--sourcemap', 'server/main.ts', '--outfile', 'dist/switchboard']);
console.log('built dist/switchboard');
