// The Anthropic Messages surface: `POST /v1/messages` and `POST /v1/messages/count_tokens`.
import type { Surface } from '../types.ts';
import { parseWith } from '../types.ts';
import { countMessageTokens } from './count-tokens.ts';
import { errorBody } from './error-body.ts';
import { responseFromChat } from './response-from-chat.ts';
import { CountTokensRequestSchema, MessagesRequestSchema, type CountTokensRequest, type MessagesRequest } from './schema.ts';
import { streamFromChat } from './stream-from-chat.ts';
import { requestToChat } from './request-to-chat.ts';

export const anthropicSurface: Surface<MessagesRequest> & {
  parseCountTokens(body: unknown): ReturnType<typeof parseWith<typeof CountTokensRequestSchema>>;
  countTokens(req: CountTokensRequest): { input_tokens: number };
} = {
  name: 'anthropic',
  parse: (body) => parseWith(MessagesRequestSchema, body),
  requestToChat: requestToChat,
  responseFromChat: (res, req) => responseFromChat(res, req),
  streamFromChat: (req) => streamFromChat(req),
  errorBody: errorBody,
  parseCountTokens: (body) => parseWith(CountTokensRequestSchema, body),
  countTokens: countMessageTokens,
};

export type { MessagesRequest, CountTokensRequest };
