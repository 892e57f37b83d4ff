// The Anthropic Messages surface: `POST /v1/messages` and `POST /v1/messages/count_tokens`.
import type { Surface } from '../types.ts';
import { parseWith } from '../types.ts';
import { countTokens } from './count-tokens.ts';
import { anthropicError } from './error-body.ts';
import { fromChat } from './response-from-chat.ts';
import { CountTokensRequestSchema, MessagesRequestSchema, type CountTokensRequest, type MessagesRequest } from './schema.ts';
import { anthropicStream } from './stream-from-chat.ts';
import { toChat } from './request-to-chat.ts';

export const anthropicSurface: Surface<MessagesRequest> & {
  parseCountTokens(body: unknown): ReturnType<typeof parseWith<typeof CountTokensRequestSchema>>;
  countTokens(req: CountTokensRequest): { input_tokens: number };
} = {
  name: 'anthropic',
  parse: (body) => parseWith(MessagesRequestSchema, body),
  toChat,
  fromChat: (res) => fromChat(res),
  stream: (req) => anthropicStream(req),
  error: anthropicError,
  parseCountTokens: (body) => parseWith(CountTokensRequestSchema, body),
  countTokens,
};

export type { MessagesRequest, CountTokensRequest };
