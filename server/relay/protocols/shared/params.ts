// A vendor's parameter rules for chat requests, and the one function that fits a
// converted request to them. Each provider declares its rules (Provider.params); the
// core only calls fitChatParams on requests it built itself (converted from another
// protocol, or bound for a native vendor), never on an OpenAI client's own bytes.
import { createHash } from 'node:crypto';
import type { ChatRequest } from '../openai/types.ts';

export interface ChatParamRules {
  /** Longest `user` the vendor accepts (OpenAI: 64). Longer ids are replaced by a stable hash. */
  userMaxLength?: number;
  /** Highest temperature the vendor accepts (Anthropic: 1; OpenAI: 2). Higher values are capped. */
  temperatureMax?: number;
  /** Which field carries the output limit for `model`. */
  maxTokensField?(model: string): 'max_tokens' | 'max_completion_tokens';
  /** Whether `model` accepts `reasoning_effort`; when false it is dropped. */
  reasoningEffort?(model: string): boolean;
}

export function fitChatParams(rules: ChatParamRules | undefined, body: ChatRequest, model: string): ChatRequest {
  if (!rules) return body;
  let out: ChatRequest | null = null;
  const edit = () => (out ??= { ...body });
  const max = rules.userMaxLength;
  if (max !== undefined && typeof body.user === 'string' && body.user.length > max) {
    // A hash keeps the id stable (the vendor's abuse tracking still sees one user) and short.
    edit().user = createHash('sha256').update(body.user).digest('hex').slice(0, max);
  }
  if (rules.temperatureMax !== undefined && typeof body.temperature === 'number' && body.temperature > rules.temperatureMax) {
    edit().temperature = rules.temperatureMax;
  }
  const field = rules.maxTokensField?.(model);
  if (field === 'max_completion_tokens' && body.max_tokens != null && body.max_completion_tokens == null) {
    const o = edit();
    o.max_completion_tokens = body.max_tokens;
    delete o.max_tokens;
  } else if (field === 'max_tokens' && body.max_completion_tokens != null) {
    const o = edit();
    o.max_tokens = body.max_tokens ?? body.max_completion_tokens;
    delete o.max_completion_tokens;
  }
  if (body.reasoning_effort !== undefined && rules.reasoningEffort && !rules.reasoningEffort(model)) {
    delete edit().reasoning_effort;
  }
  return out ?? body;
}
