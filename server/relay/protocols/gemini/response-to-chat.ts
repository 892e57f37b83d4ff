// Gemini generateContent response → OpenAI chat completion.
import type { ChatMessage, ChatResponse, MeteredUsage, ToolCall } from '../openai/types.ts';
import { nowSeconds, randomId } from '../shared/ids.ts';
import { asArray, asRecord, asString } from '../shared/json.ts';
import { toOpenAIUsage } from '../shared/usage.ts';
import { finishReasonToChat } from './finish-reason.ts';
import { meterGeminiUsage } from './usage.ts';

export interface CandidateContent {
  text: string;
  reasoning: string;
  toolCalls: ToolCall[];
}

/** Splits one candidate's parts into answer text, thought summaries and function calls. */
export function readParts(parts: unknown): CandidateContent {
  const out: CandidateContent = { text: '', reasoning: '', toolCalls: [] };
  for (const raw of asArray(parts)) {
    const part = asRecord(raw);
    const text = asString(part.text);
    if (text !== undefined) {
      if (part.thought === true) out.reasoning += text;
      else out.text += text;
    }
    if (part.functionCall) {
      const call = asRecord(part.functionCall);
      out.toolCalls.push({
        id: asString(call.id) ?? randomId('call_'),
        type: 'function',
        function: { name: asString(call.name) ?? '', arguments: JSON.stringify(call.args ?? {}) },
      });
    }
  }
  return out;
}

export function responseToChat(json: unknown, model: string): { response: ChatResponse; usage: MeteredUsage | null } {
  const body = asRecord(json);
  const candidates = asArray(body.candidates);
  const choices: ChatResponse['choices'] = candidates.map((raw, i) => {
    const cand = asRecord(raw);
    const { text, reasoning, toolCalls } = readParts(asRecord(cand.content).parts);
    const message: ChatMessage = { role: 'assistant', content: text || (toolCalls.length ? null : '') };
    if (reasoning) message.reasoning_content = reasoning;
    if (toolCalls.length) message.tool_calls = toolCalls;
    return { index: typeof cand.index === 'number' ? cand.index : i, message, finish_reason: finishReasonToChat(cand.finishReason, toolCalls.length > 0) ?? 'stop' };
  });
  // A blocked prompt returns promptFeedback and no candidates at all.
  if (choices.length === 0) {
    const blocked = asString(asRecord(body.promptFeedback).blockReason);
    choices.push({ index: 0, message: { role: 'assistant', content: '' }, finish_reason: blocked ? 'content_filter' : 'stop' });
  }
  const usage = meterGeminiUsage(body.usageMetadata);
  const response: ChatResponse = {
    id: asString(body.responseId) ?? randomId('chatcmpl-'),
    object: 'chat.completion',
    created: nowSeconds(),
    model: asString(body.modelVersion) ?? model,
    choices,
  };
  if (usage) response.usage = toOpenAIUsage(usage);
  return { response, usage };
}
