import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Paths from this file's folder, so the build works whatever directory it is started from.
const here = import.meta.dirname;

export default defineConfig({
  root: here,
  // Relative asset URLs so the same build loads from the browser host and from file:// in Electron.
  base: './',
  plugins: [react()],
  build: {
    outDir: `${here}/../dist/renderer`,
    emptyOutDir: true,
    // A strict CSP forbids inline scripts, so the module preload polyfill must not be inlined.
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1500,
  },
});
