// How each agent is pointed at Switchboard: exactly the environment and config files that
// docs/clients.md gives, written into a throwaway HOME so nothing of the machine's own
// settings leaks in. Telemetry, update checks and other outbound traffic are switched off
// through each agent's documented settings (this machine has no internet).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface AgentRun {
  /** Arguments after the executable. */
  args: string[];
  env: Record<string, string>;
}

export interface RunContext {
  /** The gateway's origin, e.g. http://127.0.0.1:3000 */
  url: string;
  key: string;
  home: string;
  workdir: string;
  prompt: string;
  /** A model other than the agent's default (the agent's own flag). */
  model?: string;
}

/** Claude Code: `ANTHROPIC_BASE_URL` is the gateway origin (it appends /v1/messages). */
export function claude(c: RunContext): AgentRun {
  return {
    args: ['-p', c.prompt, '--output-format', 'json', ...(c.model ? ['--model', c.model] : [])],
    env: {
      ANTHROPIC_BASE_URL: c.url,
      ANTHROPIC_API_KEY: c.key,
      // https://code.claude.com/docs/en/settings#environment-variables
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_AUTOUPDATER: '1',
      DISABLE_TELEMETRY: '1',
      DISABLE_ERROR_REPORTING: '1',
    },
  };
}

/** Codex CLI: a model provider in $CODEX_HOME/config.toml with wire_api = "responses". */
export function codex(c: RunContext): AgentRun {
  const codexHome = join(c.home, '.codex');
  mkdirSync(codexHome, { recursive: true });
  writeFileSync(join(codexHome, 'config.toml'), codexConfig(c.url));
  return {
    args: ['exec', '--skip-git-repo-check', ...(c.model ? ['-m', c.model] : []), c.prompt],
    env: { CODEX_HOME: codexHome, SWITCHBOARD_API_KEY: c.key },
  };
}

export function codexConfig(url: string): string {
  return `model_provider = "switchboard"
check_for_update_on_startup = false

[analytics]
enabled = false

[model_providers.switchboard]
name = "Switchboard"
base_url = "${url}/v1"
env_key = "SWITCHBOARD_API_KEY"
wire_api = "responses"
`;
}

/** Gemini CLI: `GOOGLE_GEMINI_BASE_URL` is the gateway origin (it appends /v1beta/models/…); API-key auth selected in settings. */
export function gemini(c: RunContext): AgentRun {
  const dir = join(c.home, '.gemini');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'settings.json'), JSON.stringify(geminiSettings(), null, 2));
  return {
    args: ['-p', c.prompt, ...(c.model ? ['-m', c.model] : [])],
    env: { GEMINI_API_KEY: c.key, GOOGLE_GEMINI_BASE_URL: c.url, GEMINI_CLI_TRUST_WORKSPACE: 'true' },
  };
}

export function geminiSettings() {
  return {
    security: { auth: { selectedType: 'gemini-api-key' } },
    privacy: { usageStatisticsEnabled: false },
    telemetry: { enabled: false },
    general: { disableAutoUpdate: true, disableUpdateNag: true },
  };
}

/** opencode: a custom provider (@ai-sdk/openai-compatible) in opencode.json with baseURL = gateway /v1. */
export function opencode(c: RunContext): AgentRun {
  writeFileSync(join(c.workdir, 'opencode.json'), JSON.stringify(opencodeConfig(c.url, c.model ?? 'gpt-5.5'), null, 2));
  return {
    args: ['run', c.prompt],
    env: { SWITCHBOARD_API_KEY: c.key, OPENCODE_DISABLE_AUTOUPDATE: '1', OPENCODE_DISABLE_MODELS_FETCH: '1', OPENCODE_DISABLE_LSP_DOWNLOAD: '1' },
  };
}

export function opencodeConfig(url: string, model: string) {
  return {
    $schema: 'https://opencode.ai/config.json',
    autoupdate: false,
    share: 'disabled',
    model: `switchboard/${model}`,
    provider: {
      switchboard: {
        npm: '@ai-sdk/openai-compatible',
        name: 'Switchboard',
        options: { baseURL: `${url}/v1`, apiKey: '{env:SWITCHBOARD_API_KEY}' },
        models: { [model]: { name: `${model} via Switchboard` } },
      },
    },
  };
}
