// 34 Coze (扣子): bots behind the chat API v2 that One API's Coze channels call
// (relay/adaptor/coze at one-api 8df4a26; https://www.coze.com/docs/developer_guides/coze_api_overview):
//   POST {base}/open_api/v2/chat, Authorization: Bearer <personal access token>
//   {"bot_id", "user", "query", "chat_history": [{role, content, content_type}], "stream"}
// The model names the bot: `bot-<bot id>` (or the bare id). The last message is the query, the
// ones before it the history. Answers carry messages of several types; only `answer` is text
// for the client. The API reports no token usage, so the gateway estimates it.
import type { ChatChunk, ChatRequest } from '../../protocols/openai/types.ts';
import { ChunkWriter } from '../../protocols/shared/chunks.ts';
import { contentText } from '../../protocols/shared/content.ts';
import { VendorStreamError, vendorErrorMessage } from '../../protocols/shared/errors.ts';
import { nowSeconds, randomId } from '../../protocols/shared/ids.ts';
import { asArray, asRecord, asString, isRecord, tryParse } from '../../protocols/shared/json.ts';
import { plainCompletion } from '../../protocols/shared/usage.ts';
import type { Provider } from '../types.ts';

export function cozeBotId(model: string): string {
  return model.startsWith('bot-') ? model.slice(4) : model;
}

function toCoze(req: ChatRequest, user: string): Record<string, unknown> {
  const msgs = req.messages.map((m) => ({ role: m.role === 'developer' ? 'system' : m.role, content: contentText(m.content), content_type: 'text' }));
  const last = msgs.pop();
  return {
    bot_id: cozeBotId(req.model),
    user: user || (typeof req.user === 'string' && req.user) || 'switchboard',
    query: last?.content ?? '',
    ...(msgs.length ? { chat_history: msgs } : {}),
    stream: req.stream === true,
  };
}

function cozeError(j: Record<string, unknown>): VendorStreamError | null {
  const info = isRecord(j.error_information) ? j.error_information : null;
  if (info) return new VendorStreamError(`Coze: ${asString(info.msg) ?? 'error'} (${String(info.code ?? '')})`, 'upstream_error', String(info.code ?? ''));
  if (typeof j.code === 'number' && j.code !== 0) {
    const type = j.code === 4100 || j.code === 700012006 ? 'authentication_error' : 'upstream_error';
    return new VendorStreamError(`Coze: ${asString(j.msg) ?? 'error'} (${j.code})`, type, String(j.code));
  }
  return null;
}

const coze: Provider = {
  id: 'coze',
  types: [34],
  name: { en: 'Coze', zh: '扣子 Coze' },
  defaultBaseUrl: 'https://api.coze.com',
  keyFormat: 'personal access token (pat_…)',
  configFields: [{ name: 'user_id', label: { en: 'User id sent to the bot', zh: '发送给 Bot 的用户 ID' } }],
  models: [],
  wire: 'native',
  url: (target) => `${target.baseUrl.replace(/\/+$/, '').replace(/\/open_api\/v2(\/chat)?$/, '')}/open_api/v2/chat`,
  headers: (target) => ({ authorization: `Bearer ${target.key}` }),
  chat: {
    requestFromChat: (req, target) => toCoze(req, target.config.user_id?.trim() ?? ''),
    responseToChat(json, model) {
      const j = asRecord(json);
      const err = cozeError(j);
      if (err) throw err;
      const answer = asArray(j.messages).map(asRecord).filter((m) => m.type === 'answer').map((m) => asString(m.content) ?? '').join('');
      const choices = [{ index: 0, message: { role: 'assistant' as const, content: answer }, finish_reason: 'stop' }];
      return { response: plainCompletion(asString(j.conversation_id) ?? randomId('chatcmpl-'), nowSeconds(), model, choices, null), usage: null };
    },
    streamToChat(model) {
      let writer: ChunkWriter | null = null;
      let finished = false;
      return {
        push(event) {
          const j = asRecord(tryParse(event.data));
          const err = cozeError(j);
          if (err || j.event === 'error') throw err ?? new VendorStreamError('Coze stream error');
          writer ??= new ChunkWriter(asString(j.conversation_id) ?? randomId('chatcmpl-'), model, nowSeconds());
          const out: ChatChunk[] = [];
          const m = isRecord(j.message) ? j.message : null;
          if (j.event === 'message' && m?.type === 'answer') {
            const text = writer.text(asString(m.content) ?? '');
            if (text) out.push(text);
          }
          if ((j.event === 'done' || (j.event === 'message' && j.is_finish === true && m?.type === 'answer')) && !finished) {
            finished = true;
            out.push(writer.delta({}, 'stop'));
          }
          return out;
        },
        end: () => (writer && !finished ? [writer.delta({}, 'stop')] : []),
        usage: () => null,
      };
    },
    errorMessage(status, body) {
      return vendorErrorMessage(cozeError(asRecord(tryParse(body))), status, body);
    },
  },
};

export default coze;
