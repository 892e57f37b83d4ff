-- wrk script: POST a small streaming chat completion through the gateway. BENCH_KEY sets the key.
wrk.method = "POST"
wrk.body = '{"model":"gpt-4o-mini-stream","stream":true,"messages":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"Say hello."}],"max_tokens":16}'
wrk.headers["Content-Type"] = "application/json"
local key = os.getenv("BENCH_KEY")
if key then wrk.headers["Authorization"] = "Bearer " .. key end
