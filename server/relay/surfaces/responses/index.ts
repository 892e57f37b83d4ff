// The OpenAI Responses surface: `POST /v1/responses` on channels that only speak chat completions.
import type { Surface } from '../types.ts';
import { parseWith } from '../types.ts';
import { responsesError } from './errors.ts';
import { fromChat } from './from-chat.ts';
import { ResponsesRequestSchema, type ResponsesRequest } from './schema.ts';
import { responsesStream } from './stream.ts';
import { toChat } from './to-chat.ts';
import { toolPlan } from './tools.ts';

export const responsesSurface: Surface<ResponsesRequest> = {
  name: 'responses',
  parse: (body) => parseWith(ResponsesRequestSchema, body),
  toChat,
  fromChat,
  stream: responsesStream,
  error: responsesError,
  hostedTools: (req) => toolPlan(req).hosted,
};

export type { ResponsesRequest };
