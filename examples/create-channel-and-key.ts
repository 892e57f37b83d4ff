// Create an upstream channel, price its model, and mint a client key for it (needs an admin token).
//   SWITCHBOARD_TOKEN=$ADMIN_KEY bun examples/create-channel-and-key.ts \
//     --base-url https://api.openai.com --upstream-key "$OPENAI_API_KEY" --model gpt-4o-mini
// Prints the new key on stdout (shown once; only its hash is stored).
import { arg, client } from './env.ts';

const sb = client();
const model = arg('model', 'gpt-4o-mini');

const channel = await sb.channels.create.mutate({
  name: arg('name', `${model}-channel`),
  type: Number(arg('type', '1')), // One API channel type ids: 1 OpenAI, 14 Anthropic, 24 Gemini, …
  baseUrl: arg('base-url', 'https://api.openai.com'),
  key: arg('upstream-key', process.env.UPSTREAM_KEY ?? ''),
  models: [model],
});
await sb.prices.set.mutate({ model, inputUsdPerM: arg('input-usd-per-m', '0.15'), outputUsdPerM: arg('output-usd-per-m', '0.60') });
const key = await sb.keys.create.mutate({ name: arg('key-name', 'example'), models: [model], budgetUsd: arg('budget-usd', '5') });

process.stderr.write(`channel #${channel.id} with ${channel.keys} upstream key(s); key #${key.id} for ${key.user}\n`);
process.stdout.write(`${key.key}\n`);
