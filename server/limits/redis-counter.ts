// Rate-limit windows in Redis: a hash per subject (bucket → count), checked and taken by
// one Lua script so several windows move together, atomically, on Redis's own clock.
import { RedisClient } from 'bun';
import { BUCKET_MS, type Counter, type Take, type TakeResult, WINDOW_MS } from './counter.ts';

// KEYS: subjects. ARGV: window_ms, bucket_ms, then limit and amount per key.
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local win = tonumber(ARGV[1])
local bms = tonumber(ARGV[2])
local cur = math.floor(now / bms)
local first = math.floor((now - win) / bms) + 1
local used, oldest, ok = {}, {}, true
for i, k in ipairs(KEYS) do
  local h = redis.call('HGETALL', k)
  local u, o = 0, cur
  for j = 1, #h, 2 do
    local b = tonumber(h[j])
    if b < first then redis.call('HDEL', k, h[j]) else
      u = u + tonumber(h[j + 1])
      if b < o then o = b end
    end
  end
  if u < 0 then u = 0 end
  used[i], oldest[i] = u, o
  local lim, amt = tonumber(ARGV[1 + 2 * i]), tonumber(ARGV[2 + 2 * i])
  if u + math.max(amt, 0) > lim or (amt <= 0 and u >= lim) then ok = false end
end
local out = { ok and 1 or 0 }
for i, k in ipairs(KEYS) do
  local amt = tonumber(ARGV[2 + 2 * i])
  if ok and amt ~= 0 then
    redis.call('HINCRBY', k, cur, amt)
    redis.call('PEXPIRE', k, win + bms)
  end
  out[#out + 1] = used[i] + ((ok and amt > 0) and amt or 0)
  out[#out + 1] = math.max(oldest[i] * bms + win - now, 0)
end
return out`;

const ADD = `
local t = redis.call('TIME')
local cur = math.floor((tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)) / tonumber(ARGV[1]))
for _, k in ipairs(KEYS) do
  redis.call('HINCRBY', k, cur, ARGV[2])
  redis.call('PEXPIRE', k, tonumber(ARGV[3]))
end
return 1`;

export class RedisCounter implements Counter {
  private readonly client: RedisClient;

  constructor(url: string, private readonly prefix: string) {
    this.client = new RedisClient(url);
  }

  async take(items: Take[]): Promise<TakeResult> {
    const args = [TAKE, String(items.length), ...items.map((i) => this.prefix + i.subject), String(WINDOW_MS), String(BUCKET_MS)];
    for (const i of items) args.push(String(i.limit), String(i.amount));
    const out = (await this.client.send('EVAL', args)) as number[];
    return {
      allowed: out[0] === 1,
      windows: items.map((i, n) => ({ subject: i.subject, used: Number(out[1 + 2 * n]), resetMs: Number(out[2 + 2 * n]) })),
    };
  }

  async add(subjects: string[], amount: number): Promise<void> {
    await this.client.send('EVAL', [ADD, String(subjects.length), ...subjects.map((s) => this.prefix + s), String(BUCKET_MS), String(amount), String(WINDOW_MS + BUCKET_MS)]);
  }

  async close(): Promise<void> {
    this.client.close();
  }
}
