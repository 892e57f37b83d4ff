// The OpenAI Responses surface: `POST /v1/responses` on channels that only speak chat completions.
import type { Surface } from '../types.ts';
import { parseWith } from '../types.ts';
import { errorBody } from './error-body.ts';
import { responseFromChat } from './response-from-chat.ts';
import { ResponsesRequestSchema, type ResponsesRequest } from './schema.ts';
import { streamFromChat } from './stream-from-chat.ts';
import { requestToChat } from './request-to-chat.ts';
import { toolPlan } from './tools.ts';

export const responsesSurface: Surface<ResponsesRequest> = {
  name: 'responses',
  parse: (body) => parseWith(ResponsesRequestSchema, body),
  requestToChat: requestToChat,
  responseFromChat: responseFromChat,
  streamFromChat: streamFromChat,
  errorBody: errorBody,
  hostedTools: (req) => toolPlan(req).hosted,
};

export type { ResponsesRequest };
