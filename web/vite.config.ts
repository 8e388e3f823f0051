import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Built into dist/web, which the server serves at `/` (src/server/web-ui.ts).
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [react()],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    // The budget is on gzipped size (bench/ui.ts); this only silences Vite's raw-size warning.
    chunkSizeWarningLimit: 800,
  },
  server: {
    // `npx vite --config web/vite.config.ts` for UI work against a running server.
    proxy: {
      '/api': 'http://127.0.0.1:8080',
      '/auth': 'http://127.0.0.1:8080',
      '/integrations': 'http://127.0.0.1:8080',
      '/hooks': 'http://127.0.0.1:8080',
    },
  },
});
