// OpenAI's o200k_base token count (gpt-tokenizer). The encoding costs ~60 MB resident, so it
// loads on the first count (a call whose upstream reported no usage, count_tokens, …), not
// at start. `require` keeps counting synchronous and, with a literal name, is bundled into
// the single executable.
let encoder: ((text: string) => number) | null = null;

export function countTokens(text: string): number {
  if (!text) return 0;
  encoder ??= (require('gpt-tokenizer') as typeof import('gpt-tokenizer')).countTokens;
  return encoder(text);
}
