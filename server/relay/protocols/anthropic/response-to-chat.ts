// Anthropic Messages response → OpenAI chat completion.
import type { ChatMessage, ChatResponse, MeteredUsage, ToolCall } from '../openai/types.ts';
import { nowSeconds, randomId } from '../shared/ids.ts';
import { asArray, asRecord, asString } from '../shared/json.ts';
import { toOpenAIUsage } from '../shared/usage.ts';
import { finishReasonToChat } from './finish-reason.ts';
import { meterAnthropicUsage } from './usage.ts';

export function responseToChat(json: unknown, model: string): { response: ChatResponse; usage: MeteredUsage | null } {
  const body = asRecord(json);
  let text = '';
  let reasoning = '';
  const toolCalls: ToolCall[] = [];
  for (const raw of asArray(body.content)) {
    const block = asRecord(raw);
    if (block.type === 'text') text += asString(block.text) ?? '';
    else if (block.type === 'thinking') reasoning += asString(block.thinking) ?? '';
    else if (block.type === 'tool_use') {
      toolCalls.push({
        id: asString(block.id) ?? randomId('toolu_'),
        type: 'function',
        function: { name: asString(block.name) ?? '', arguments: JSON.stringify(block.input ?? {}) },
      });
    }
  }
  const message: ChatMessage = { role: 'assistant', content: text || (toolCalls.length ? null : '') };
  if (reasoning) message.reasoning_content = reasoning;
  if (toolCalls.length) message.tool_calls = toolCalls;

  const usage = meterAnthropicUsage(body.usage);
  const response: ChatResponse = {
    id: asString(body.id) ?? randomId('chatcmpl-'),
    object: 'chat.completion',
    created: nowSeconds(),
    model: asString(body.model) ?? model,
    choices: [{ index: 0, message, finish_reason: finishReasonToChat(body.stop_reason) }],
  };
  if (usage) response.usage = toOpenAIUsage(usage);
  return { response, usage };
}
