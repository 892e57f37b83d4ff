// The Anthropic Messages surface: `POST /v1/messages` and `POST /v1/messages/count_tokens`.
import type { Surface } from '../types.ts';
import { parseWith } from '../types.ts';
import { countTokens } from './count-tokens.ts';
import { anthropicError } from './errors.ts';
import { fromChat } from './from-chat.ts';
import { CountTokensRequestSchema, MessagesRequestSchema, type CountTokensRequest, type MessagesRequest } from './schema.ts';
import { anthropicStream } from './stream.ts';
import { toChat } from './to-chat.ts';

export const anthropicSurface: Surface<MessagesRequest> & {
  parseCountTokens(body: unknown): ReturnType<typeof parseWith<typeof CountTokensRequestSchema>>;
  countTokens(req: CountTokensRequest): { input_tokens: number };
} = {
  name: 'anthropic',
  parse: (body) => parseWith(MessagesRequestSchema, body),
  toChat,
  fromChat: (res, req) => fromChat(res, req),
  stream: (req) => anthropicStream(req),
  error: anthropicError,
  parseCountTokens: (body) => parseWith(CountTokensRequestSchema, body),
  countTokens,
};

export type { MessagesRequest, CountTokensRequest };
