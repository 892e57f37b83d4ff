// Opens N concurrent streamed chat calls (ramped in batches), reads each to the end and
// prints one JSON line: time to first byte per stream (percentiles), completed, failed.
// `URL=… KEY=… STREAMS=2000 RAMP_MS=1000 bun bench/streams/client.ts` (with BUN_CONFIG_MAX_HTTP_REQUESTS raised).
export {};
const url = process.env.URL!;
const key = process.env.KEY ?? 'sk-none';
const n = Number(process.env.STREAMS ?? 2000);
const rampMs = Number(process.env.RAMP_MS ?? 1000);
const batches = 10;
const body = JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Say hello.' }], max_tokens: 16 });

const ttft: number[] = [];
let completed = 0;
const failures = new Map<string, number>();
const fail = (why: string): void => { failures.set(why, (failures.get(why) ?? 0) + 1); };

async function one(): Promise<void> {
  const t0 = performance.now();
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body });
    if (!res.ok || !res.body) return fail(`HTTP ${res.status}`);
    const reader = res.body.getReader();
    let first = true;
    let text = '';
    const dec = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      if (first) { ttft.push(performance.now() - t0); first = false; }
      text += dec.decode(value, { stream: true });
    }
    if (text.includes('[DONE]')) completed++;
    else fail('stream ended without [DONE]');
  } catch (e) {
    fail((e as Error).message.slice(0, 80));
  }
}

const started = performance.now();
const all: Promise<void>[] = [];
for (let b = 0; b < batches; b++) {
  for (let i = 0; i < n / batches; i++) all.push(one());
  await Bun.sleep(rampMs / batches);
}
await Promise.all(all);
ttft.sort((a, b) => a - b);
const pct = (p: number) => ttft.length ? ttft[Math.min(ttft.length - 1, Math.floor((p / 100) * ttft.length))]! : NaN;
console.log(JSON.stringify({ streams: n, completed, failed: Object.fromEntries(failures), p50: pct(50), p95: pct(95), p99: pct(99), max: ttft.at(-1) ?? NaN, seconds: (performance.now() - started) / 1000 }));
