// `POST /v1/messages/count_tokens` for channels that are not Anthropic.
// An ESTIMATE: Claude's tokenizer is not public, so we count the converted request with
// OpenAI's o200k_base encoding (gpt-tokenizer). Expect it to differ from Claude's own count
// by some percent; an Anthropic channel should be asked instead when one serves the model.
import { countTokens as countText } from '../../../util/tokenizer.ts';
import type { ChatMessage } from '../openai/types.ts';
import { toChatInput } from './request-to-chat.ts';
import type { CountTokensRequest } from './schema.ts';

/** Per message framing (role markers), as in OpenAI's cookbook estimate. */
const PER_MESSAGE = 3;
/** Anthropic prices an image by pixels (w*h/750, ~1.6k max); dimensions are unknown here. */
const PER_IMAGE = 1600;

export function countMessageTokens(req: CountTokensRequest): { input_tokens: number } {
  const chat = toChatInput(req, req.model);
  let total = 0;
  for (const message of chat.messages) total += PER_MESSAGE + messageTokens(message);
  if (chat.tools?.length) total += countText(JSON.stringify(chat.tools.map((t) => t.function)));
  return { input_tokens: total };
}

function messageTokens(message: ChatMessage): number {
  let total = 0;
  const content = message.content;
  if (typeof content === 'string') total += countText(content);
  else if (Array.isArray(content)) {
    for (const part of content) {
      if (part.type === 'text') total += countText(String((part as { text: unknown }).text));
      else if (part.type === 'image_url') total += PER_IMAGE;
      else total += countText(JSON.stringify(part).slice(0, 2000));
    }
  }
  for (const call of message.tool_calls ?? []) total += countText(call.function.name + call.function.arguments);
  return total;
}
