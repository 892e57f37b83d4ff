// OpenAI chat request → Bedrock Converse request.
import type { ChatMessage, ChatRequest } from '../../protocols/openai/types.ts';
import { contentParts, contentText, imageUrlOf, isSystemRole, toAlternatingTurns } from '../../protocols/shared/content.ts';
import { parseDataUrl } from '../../protocols/shared/data-url.ts';
import { VendorRequestError } from '../../protocols/shared/errors.ts';
import { parseArguments } from '../../protocols/shared/json.ts';
import type { BedrockBlock, BedrockMessage, ConverseRequest } from './wire.ts';

const THINKING_BUDGET: Record<string, number> = { minimal: 1024, low: 2048, medium: 8192, high: 24576 };

export function toConverseRequest(req: ChatRequest): ConverseRequest {
  const out: ConverseRequest = { messages: toMessages(req.messages) };
  const system = req.messages.filter((m) => isSystemRole(m.role)).map((m) => contentText(m.content)).filter(Boolean);
  if (system.length) out.system = system.map((text) => ({ text }));
  const inference: NonNullable<ConverseRequest['inferenceConfig']> = {};
  const max = req.max_completion_tokens ?? req.max_tokens;
  if (max != null) inference.maxTokens = max;
  if (req.temperature != null) inference.temperature = req.temperature;
  if (req.top_p != null) inference.topP = req.top_p;
  if (req.stop != null) inference.stopSequences = Array.isArray(req.stop) ? req.stop : [req.stop];
  if (Object.keys(inference).length) out.inferenceConfig = inference;
  if (req.tools?.length) {
    out.toolConfig = {
      tools: req.tools.map((t) => ({
        toolSpec: {
          name: t.function.name,
          ...(t.function.description ? { description: t.function.description } : {}),
          inputSchema: { json: t.function.parameters ?? { type: 'object', properties: {} } },
        },
      })),
    };
    // Converse has no "none": leaving toolChoice unset is the closest (model decides).
    const c = req.tool_choice;
    if (c === 'auto') out.toolConfig.toolChoice = { auto: {} };
    else if (c === 'required') out.toolConfig.toolChoice = { any: {} };
    else if (c && typeof c === 'object') out.toolConfig.toolChoice = { tool: { name: c.function.name } };
  }
  const budget = req.reasoning_effort ? THINKING_BUDGET[req.reasoning_effort] : undefined;
  // Claude on Bedrock takes Anthropic's thinking object through the passthrough field.
  if (budget && /anthropic\.claude/.test(req.model)) {
    out.additionalModelRequestFields = { thinking: { type: 'enabled', budget_tokens: budget } };
    if (out.inferenceConfig) {
      delete out.inferenceConfig.temperature;
      delete out.inferenceConfig.topP;
    }
  }
  return out;
}

function toMessages(messages: ChatMessage[]): BedrockMessage[] {
  return toAlternatingTurns<BedrockBlock>(messages, { assistant: assistantBlocks, toolResult, user: userBlocks });
}

function userBlocks(m: ChatMessage): BedrockBlock[] {
  return contentParts(m.content).flatMap((p): BedrockBlock[] => {
    if (p.type === 'text') return typeof p.text === 'string' && p.text ? [{ text: p.text }] : [];
    const url = imageUrlOf(p);
    if (!url) return [];
    const inline = parseDataUrl(url);
    // Converse only takes image bytes (or S3); fetching remote URLs is not the relay's job.
    if (!inline) throw new VendorRequestError('AWS Bedrock accepts images only as base64 data: URLs');
    return [{ image: { format: inline.mediaType.replace(/^image\//, '').replace('jpg', 'jpeg'), source: { bytes: inline.data } } }];
  });
}

function assistantBlocks(m: ChatMessage): BedrockBlock[] {
  const blocks: BedrockBlock[] = [];
  const text = contentText(m.content);
  if (text) blocks.push({ text });
  for (const call of m.tool_calls ?? []) {
    blocks.push({ toolUse: { toolUseId: call.id, name: call.function.name, input: parseArguments(call.function.arguments) } });
  }
  return blocks;
}

function toolResult(m: ChatMessage): BedrockBlock {
  return { toolResult: { toolUseId: m.tool_call_id ?? '', content: [{ text: contentText(m.content) }] } };
}
