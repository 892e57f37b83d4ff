// Light and dark themes: follow the system until the user picks one (kept in localStorage).
import { createSignal } from 'solid-js';

export type ThemeChoice = 'system' | 'light' | 'dark';
const STORAGE_KEY = 'sb.theme';
const media = window.matchMedia('(prefers-color-scheme: dark)');

const stored = localStorage.getItem(STORAGE_KEY);
const [choice, setChoiceSignal] = createSignal<ThemeChoice>(stored === 'light' || stored === 'dark' ? stored : 'system');
const [systemDark, setSystemDark] = createSignal(media.matches);
media.addEventListener('change', (e) => setSystemDark(e.matches));

export { choice as themeChoice };
export const effectiveTheme = () => (choice() === 'system' ? (systemDark() ? 'dark' : 'light') : choice());

export function setTheme(c: ThemeChoice): void {
  if (c === 'system') localStorage.removeItem(STORAGE_KEY);
  else localStorage.setItem(STORAGE_KEY, c);
  setChoiceSignal(c);
}
