// The coding agents the conformance suite drives, pinned, installed on demand from the npm
// registry into .cache/clients (gitignored; `bun start` never needs them). A failed install
// throws with npm's own output, so the test fails with the reason instead of being skipped.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface AgentPackage {
  pkg: string;
  /** Pinned: the current release when the suite was written (`npm view <pkg> version`, 2026-12-03). */
  version: string;
  bin: string;
}

export const AGENTS = {
  claude: { pkg: '@anthropic-ai/claude-code', version: '2.1.332', bin: 'claude' },
  codex: { pkg: '@openai/codex', version: '0.171.0', bin: 'codex' },
  gemini: { pkg: '@google/gemini-cli', version: '0.61.0', bin: 'gemini' },
  opencode: { pkg: 'opencode-ai', version: '1.18.33', bin: 'opencode' },
} satisfies Record<string, AgentPackage>;

export const CACHE_DIR = resolve(import.meta.dir, '../../.cache/clients');
const INSTALL_TIMEOUT_MS = 300_000;

const installs = new Map<string, Promise<string>>();

/** The agent's executable, installing `pkg@version` first when it is not in the cache (once per process). */
export function ensureAgent(a: AgentPackage): Promise<string> {
  const key = `${a.pkg}@${a.version}`;
  let p = installs.get(key);
  if (!p) {
    p = install(a);
    // Started early by the suite; a failure is reported by the test that awaits it.
    p.catch(() => {});
    installs.set(key, p);
  }
  return p;
}

async function install(a: AgentPackage): Promise<string> {
  const dir = join(CACHE_DIR, `${a.pkg.replace(/[@/]/g, '_')}-${a.version}`);
  const bin = join(dir, 'node_modules', '.bin', a.bin);
  if (existsSync(bin) && installedVersion(dir, a.pkg) === a.version) return bin;
  mkdirSync(dir, { recursive: true });
  // npm when present (it runs the packages' platform-binary selection as published); else bun.
  const cmd = Bun.which('npm')
    ? ['npm', 'install', '--no-audit', '--no-fund', '--no-save', '--loglevel=error', '--prefix', dir, `${a.pkg}@${a.version}`]
    : [process.execPath, 'add', '--cwd', dir, '--exact', `${a.pkg}@${a.version}`];
  const proc = Bun.spawn(cmd, {
    cwd: dir, stdout: 'pipe', stderr: 'pipe', env: { ...process.env, npm_config_update_notifier: 'false' },
  });
  const timer = setTimeout(() => proc.kill(), INSTALL_TIMEOUT_MS);
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  if (code !== 0 || !existsSync(bin)) {
    throw new Error(`installing ${a.pkg}@${a.version} into ${dir} failed (npm exit ${code}):\n${err || out}`.slice(0, 4000));
  }
  return bin;
}

function installedVersion(dir: string, pkg: string): string | null {
  try {
    return (JSON.parse(readFileSync(join(dir, 'node_modules', pkg, 'package.json'), 'utf8')) as { version?: string }).version ?? null;
  } catch {
    return null;
  }
}
