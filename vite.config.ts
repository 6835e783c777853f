// Builds the renderer (the React UI) into dist/renderer, served by Electron and `obsdeck serve`.
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'renderer',
  base: './',
  build: { outDir: '../dist/renderer', emptyOutDir: true, sourcemap: true },
});
