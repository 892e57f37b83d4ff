// The OpenAI Responses surface: `POST /v1/responses` on channels that only speak chat completions.
import type { Surface } from '../types.ts';
import { parseWith } from '../types.ts';
import { responsesError } from './error-body.ts';
import { fromChat } from './response-from-chat.ts';
import { ResponsesRequestSchema, type ResponsesRequest } from './schema.ts';
import { responsesStream } from './stream-from-chat.ts';
import { toChat } from './request-to-chat.ts';

export const responsesSurface: Surface<ResponsesRequest> = {
  name: 'responses',
  parse: (body) => parseWith(ResponsesRequestSchema, body),
  toChat,
  fromChat,
  stream: responsesStream,
  error: responsesError,
};

export type { ResponsesRequest };
