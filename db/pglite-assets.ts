// PGlite's WebAssembly and filesystem bundle, imported as files so `bun build --compile`
// embeds them in the single executable (PGlite would otherwise look for them next to
// its own module, which does not exist inside the binary).
import initdbWasmPath from '../node_modules/@electric-sql/pglite/dist/initdb.wasm' with { type: 'file' };
import fsBundlePath from '../node_modules/@electric-sql/pglite/dist/pglite.data' with { type: 'file' };
import pgliteWasmPath from '../node_modules/@electric-sql/pglite/dist/pglite.wasm' with { type: 'file' };

let compiled: Promise<{ pgliteWasmModule: WebAssembly.Module; initdbWasmModule: WebAssembly.Module; fsBundle: Blob }> | null = null;

export function pgliteAssets() {
  compiled ??= (async () => {
    const [pglite, initdb] = await Promise.all([
      Bun.file(pgliteWasmPath).arrayBuffer().then((b) => WebAssembly.compile(b)),
      Bun.file(initdbWasmPath).arrayBuffer().then((b) => WebAssembly.compile(b)),
    ]);
    return { pgliteWasmModule: pglite, initdbWasmModule: initdb, fsBundle: Bun.file(fsBundlePath) };
  })();
  return compiled;
}
