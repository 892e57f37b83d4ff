// `bun server/main.ts` as a real subprocess (crash, restart and default-database tests):
// a minimal environment plus what the test sets, stdout drained for the process's whole life
// so its pipe never fills, resolved once the server logs that it listens.
import { resolve } from 'node:path';

const root = resolve(import.meta.dir, '../..');

export interface ServerProcess { proc: ReturnType<typeof Bun.spawn>; url: string; output(): string }

export async function startServerProcess(env: Record<string, string>, timeoutMs = 90_000): Promise<ServerProcess> {
  const proc = Bun.spawn(['bun', 'server/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdout: 'pipe', stderr: 'pipe',
  });
  let out = '';
  let url = '';
  let listening!: () => void;
  const ready = new Promise<void>((r) => { listening = r; });
  void (async () => {
    const dec = new TextDecoder();
    const reader = (proc.stdout as ReadableStream<Uint8Array>).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      out += dec.decode(value);
      if (!url) {
        url = /"msg":"switchboard listening","url":"([^"]+)"/.exec(out)?.[1] ?? '';
        if (url) listening();
      }
    }
  })();
  const started = await Promise.race([ready.then(() => true), proc.exited.then(() => false), Bun.sleep(timeoutMs).then(() => false)]);
  if (!started) {
    proc.kill('SIGKILL');
    throw new Error(`server did not start: ${out}${await new Response(proc.stderr as ReadableStream).text()}`);
  }
  return { proc, url, output: () => out };
}
