// The console's Vite config. `bun web/build.ts` builds into web/dist, which the gateway
// serves at `/`. `bunx vite web` runs a dev server that proxies the API to a local gateway.
import { defineConfig } from 'vite';
import solid from 'vite-plugin-solid';

const gateway = process.env.SWITCHBOARD_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [solid()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 800 },
  server: {
    proxy: {
      '/trpc': gateway,
      '/live': { target: gateway, ws: true },
      '/v1': gateway,
    },
  },
});
