import { openAICompatible } from '../openai-compatible.ts';
import { dashboardBalance } from '../openai-compatible-balance.ts';

// 50 OpenAI-compatible and 8 Custom: any server speaking OpenAI's wire format at the operator's base URL.
export default openAICompatible({
  id: 'openai-compatible',
  types: [50, 8],
  name: { en: 'OpenAI-compatible', zh: 'OpenAI 兼容' },
  defaultBaseUrl: '',
  balance: dashboardBalance,
  models: [],
});
