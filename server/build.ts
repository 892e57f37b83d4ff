// `bun run build`: the console's static assets (when web/ has them) and a single
// executable at dist/switchboard with migrations, PGlite and the console embedded.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dir, '..');

async function run(cmd: string[]): Promise<void> {
  const p = Bun.spawn(cmd, { cwd: root, stdout: 'inherit', stderr: 'inherit' });
  if ((await p.exited) !== 0) throw new Error(`failed: ${cmd.join(' ')}`);
}

const web = existsSync(join(root, 'web/build.ts'));
// --embed writes server/web/embedded.gen.ts so the compile below carries web/dist; then the stub is restored.
if (web) await run(['bun', 'web/build.ts', '--embed']);
try {
  await run(['bun', 'build', '--compile', '--minify', '--sourcemap', 'server/main.ts', '--outfile', 'dist/switchboard']);
} finally {
  if (web) await run(['bun', 'web/build.ts', '--unembed']);
}
console.log('built dist/switchboard');
