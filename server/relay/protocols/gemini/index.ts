// The Gemini surface: `POST /v1beta/models/{model}:generateContent` and
// `:streamGenerateContent?alt=sse`. The model and the stream flag live in the URL, so the core
// passes both to toChat().
import type { Surface } from '../types.ts';
import { parseWith } from '../types.ts';
import { errorBody } from './error-body.ts';
import { responseFromChat } from './response-from-chat.ts';
import { GenerateContentRequestSchema, normalizeKeys, type GenerateContentRequest } from './schema.ts';
import { streamFromChat } from './stream-from-chat.ts';
import { requestToChat } from './request-to-chat.ts';

export const geminiSurface: Surface<GenerateContentRequest> = {
  name: 'gemini',
  parse: (body) => parseWith(GenerateContentRequestSchema, normalizeKeys(body)),
  requestToChat: requestToChat,
  responseFromChat: responseFromChat,
  streamFromChat: streamFromChat,
  errorBody: errorBody,
};

export type { GenerateContentRequest };
