// A small One API deployment for the price, re-sync and channel tests: one user in group vip,
// an unlimited token, OpenAI-compatible channels pointed at a local mock. Rows are what One API
// writes (model/*.go); the builders create One API's own schema in MySQL, PostgreSQL or SQLite.
import type { FixtureData, Row } from './fixtures/data.ts';

export const WORLD_TOKEN = 'Wq1c0Zb9pE3xYk7LmN2vR5tU8sA4dF6gH0jK1lQ2wE3rT4yU';
export const WORLD_ADMIN_TOKEN = 'Ad9c0Zb9pE3xYk7LmN2vR5tU8sA4dF6gH0jK1lQ2wE3rT4yU';

const user = (r: Row): Row => ({ display_name: '', email: '', github_id: '', wechat_id: '', lark_id: '', oidc_id: '', access_token: null, request_count: 0, aff_code: null, inviter_id: 0, password: '', quota: 0, used_quota: 0, role: 1, status: 1, group: 'default', ...r });
const token = (r: Row): Row => ({ created_time: 1_700_000_000, accessed_time: 0, expired_time: -1, remain_quota: 0, unlimited_quota: true, used_quota: 0, models: '', subnet: '', status: 1, ...r });
export const channel = (r: Row): Row => ({ status: 1, weight: 0, created_time: 1_700_000_000, test_time: 0, response_time: 0, base_url: '', other: '', balance: 0, balance_updated_time: 0, models: '', group: 'default,vip', used_quota: 0, model_mapping: '', priority: 0, config: '', system_prompt: null, key: 'sk-upstream-world', ...r });

export function oneApiWorld(mockUrl: string, over: Partial<FixtureData> = {}): FixtureData {
  return {
    users: [
      user({ id: 1, username: 'boss', role: 100, quota: 0, group: 'default' }),
      user({ id: 2, username: 'vipuser', quota: 50_000_000, used_quota: 1_000, group: 'vip' }),
    ],
    tokens: [
      token({ id: 1, user_id: 2, name: 'vip-key', key: WORLD_TOKEN }),
      token({ id: 2, user_id: 1, name: 'admin-key', key: WORLD_ADMIN_TOKEN }),
    ],
    channels: [
      channel({ id: 1, type: 1, name: 'openai', priority: 10, base_url: mockUrl, models: 'gpt-4o,gpt-3.5-turbo,claude-3-5-sonnet-20241022,deepseek-chat,my-private-model,gemini-1.5-flash,my-alias', model_mapping: '{"my-alias":"gpt-3.5-turbo"}' }),
      channel({ id: 2, type: 8, name: 'custom-a', base_url: mockUrl, models: 'gpt-4o' }),
      channel({ id: 3, type: 8, name: 'custom-b', base_url: mockUrl, models: 'gpt-4o' }),
    ],
    options: [
      // gpt-4o at $2.50/1M input; no CompletionRatio entry, so One API's built-in ×4 applies.
      // `gpt-4o(8)` prices gpt-4o on channel type 8 (Custom) only.
      { key: 'ModelRatio', value: '{"gpt-4o":1.25,"gpt-4o(8)":0.5,"text-only-model":2}' },
      { key: 'CompletionRatio', value: '{"text-only-model":1.5}' },
      { key: 'GroupRatio', value: '{"default":1,"vip":0.8}' },
      { key: 'QuotaPerUnit', value: '500000' },
    ],
    redemptions: [],
    logs: [],
    abilities: [],
    ...over,
  };
}
