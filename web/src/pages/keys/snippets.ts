// Ready-to-run examples for a new key. Code, not UI text: identical in every language.
export interface Snippet { id: string; title: string; code: string }

export function snippets(endpoint: string, key: string, model: string): Snippet[] {
  const body = JSON.stringify({ model, messages: [{ role: 'user', content: 'Hello!' }] });
  const streamBody = JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'Hello!' }] });
  return [
    {
      id: 'curl', title: 'curl',
      code: `curl ${endpoint}/chat/completions \\
  -H "Authorization: Bearer ${key}" \\
  -H "Content-Type: application/json" \\
  -d '${body}'

# streaming
curl -N ${endpoint}/chat/completions \\
  -H "Authorization: Bearer ${key}" \\
  -H "Content-Type: application/json" \\
  -d '${streamBody}'`,
    },
    {
      id: 'python', title: 'Python (openai)',
      code: `from openai import OpenAI

client = OpenAI(base_url="${endpoint}", api_key="${key}")

reply = client.chat.completions.create(
    model="${model}",
    messages=[{"role": "user", "content": "Hello!"}],
)
print(reply.choices[0].message.content)

# streaming
stream = client.chat.completions.create(
    model="${model}",
    messages=[{"role": "user", "content": "Hello!"}],
    stream=True,
)
for chunk in stream:
    print(chunk.choices[0].delta.content or "", end="", flush=True)`,
    },
    {
      id: 'fetch', title: 'JavaScript (fetch)',
      code: `const res = await fetch("${endpoint}/chat/completions", {
  method: "POST",
  headers: { "Authorization": "Bearer ${key}", "Content-Type": "application/json" },
  body: JSON.stringify(${body}),
});
const reply = await res.json();
console.log(reply.choices[0].message.content);`,
    },
    {
      id: 'fetch-stream', title: 'JavaScript (fetch, streaming)',
      code: `const res = await fetch("${endpoint}/chat/completions", {
  method: "POST",
  headers: { "Authorization": "Bearer ${key}", "Content-Type": "application/json" },
  body: JSON.stringify(${streamBody}),
});
const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
let buffer = "";
for (;;) {
  const { value, done } = await reader.read();
  if (done) break;
  buffer += value;
  const lines = buffer.split("\\n");
  buffer = lines.pop();
  for (const line of lines) {
    if (!line.startsWith("data: ") || line === "data: [DONE]") continue;
    const delta = JSON.parse(line.slice(6)).choices[0]?.delta?.content;
    if (delta) process.stdout.write(delta);
  }
}`,
    },
  ];
}
