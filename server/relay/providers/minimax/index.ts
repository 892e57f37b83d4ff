import { openAICompatible } from '../openai-compatible.ts';

// 27 MiniMax: OpenAI-compatible at /v1 (api.minimaxi.com in China, api.minimax.io abroad).
export default openAICompatible({
  id: 'minimax',
  types: [27],
  name: { en: 'MiniMax', zh: 'MiniMax 稀宇' },
  defaultBaseUrl: 'https://api.minimaxi.com/v1',
  keyFormat: 'eyJ... (JWT-like API key)',
  models: ['MiniMax-M2', 'MiniMax-M1', 'MiniMax-Text-01', 'abab6.5s-chat'],
});
