// One API consume log (type 2) → Switchboard call log, so bills stay continuous across the switch.
import { asBool, asInt, asStr, asUnixDate, type Row } from '../values.ts';
import type { MapContext } from './context.ts';

export interface LogPlan {
  oneapiId: number;
  request_id: string;
  created_at: Date;
  userOneapiId: number;
  /** New API logs carry token_id; One API only the token's name. */
  tokenOneapiId: number | null;
  tokenName: string;
  channelOneapiId: number | null;
  model: string;
  prompt_tokens: number;
  completion_tokens: number;
  cost: bigint;
  latency_ms: number;
  stream: boolean;
}

export const LOG_TYPE_CONSUME = 2;

export function mapLog(r: Row, ctx: MapContext): LogPlan {
  const id = asInt(r.id);
  const channel = asInt(r.channel_id ?? r.channel);
  const token = asInt(r.token_id);
  return {
    oneapiId: id,
    // Stable id: a second run finds the row and leaves it alone.
    request_id: `oneapi-log-${id}`,
    created_at: asUnixDate(r.created_at) ?? new Date(0),
    userOneapiId: asInt(r.user_id),
    tokenOneapiId: token > 0 ? token : null,
    tokenName: asStr(r.token_name),
    channelOneapiId: channel > 0 ? channel : null,
    model: asStr(r.model_name),
    prompt_tokens: asInt(r.prompt_tokens),
    completion_tokens: asInt(r.completion_tokens),
    cost: ctx.nano(r.quota, `log #${id} quota`),
    latency_ms: Math.max(0, asInt(r.elapsed_time)),
    stream: asBool(r.is_stream),
  };
}
