import { openAICompatible } from '../openai-compatible.ts';

// 32 StepFun.
export default openAICompatible({
  id: 'stepfun',
  types: [32],
  name: { en: 'StepFun', zh: '阶跃星辰' },
  defaultBaseUrl: 'https://api.stepfun.com/v1',
  models: ['step-2-16k', 'step-2-mini', 'step-1-8k', 'step-1-32k', 'step-1-256k', 'step-1v-8k', 'step-1o-turbo-vision', 'step-r1-v-mini'],
});
