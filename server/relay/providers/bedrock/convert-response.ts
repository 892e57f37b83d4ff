// Bedrock Converse response → OpenAI chat completion.
import type { ChatMessage, ChatResponse, MeteredUsage, ToolCall } from '../../protocols/openai/types.ts';
import { nowSeconds, randomId } from '../../protocols/shared/ids.ts';
import { asArray, asRecord, asString } from '../../protocols/shared/json.ts';
import { toOpenAIUsage } from '../../protocols/shared/usage.ts';
import { finishReason } from './finish-reason.ts';
import { meterBedrockUsage } from './usage.ts';

export function fromConverseResponse(json: unknown, model: string): { response: ChatResponse; usage: MeteredUsage | null } {
  const body = asRecord(json);
  let text = '';
  let reasoning = '';
  const toolCalls: ToolCall[] = [];
  for (const raw of asArray(asRecord(asRecord(body.output).message).content)) {
    const block = asRecord(raw);
    if (typeof block.text === 'string') text += block.text;
    const r = asRecord(asRecord(block.reasoningContent).reasoningText);
    if (typeof r.text === 'string') reasoning += r.text;
    if (block.toolUse) {
      const use = asRecord(block.toolUse);
      toolCalls.push({
        id: asString(use.toolUseId) ?? randomId('tooluse_'),
        type: 'function',
        function: { name: asString(use.name) ?? '', arguments: JSON.stringify(use.input ?? {}) },
      });
    }
  }
  const message: ChatMessage = { role: 'assistant', content: text || (toolCalls.length ? null : '') };
  if (reasoning) message.reasoning_content = reasoning;
  if (toolCalls.length) message.tool_calls = toolCalls;
  const usage = meterBedrockUsage(body.usage);
  const response: ChatResponse = {
    id: randomId('chatcmpl-'),
    object: 'chat.completion',
    created: nowSeconds(),
    model,
    choices: [{ index: 0, message, finish_reason: finishReason(body.stopReason) ?? 'stop' }],
  };
  if (usage) response.usage = toOpenAIUsage(usage);
  return { response, usage };
}
