import { GEMINI_MODELS } from '../gemini/index.ts';
import { openAICompatible } from '../openai-compatible.ts';

// 51 Gemini via Google's OpenAI-compatible endpoint (bearer = the AI Studio key).
export default openAICompatible({
  id: 'gemini-openai',
  types: [51],
  name: { en: 'Google Gemini (OpenAI format)', zh: 'Google Gemini（OpenAI 格式）' },
  defaultBaseUrl: 'https://generativelanguage.googleapis.com/v1beta/openai',
  prefix: '/v1beta/openai',
  keyFormat: 'AIza...',
  models: GEMINI_MODELS,
});
