// Bundles the CLI into dist/ with esbuild. Each command's code is split into its own chunk and
// loaded only when that command runs, so start-up parses one small file; the heavy dependencies
// (undici for sending, conf for writing the config) stay out of the paths that do not use them.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: ['src/cli.ts'],
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  define: { GCMPUSH_VERSION: JSON.stringify(version) },
  // Bundled CommonJS dependencies call require(); give the ESM output one.
  banner: {
    js: [
      "import { createRequire as __gcmpushRequire } from 'node:module';",
      'const require = __gcmpushRequire(import.meta.url);',
    ].join(' '),
  },
  chunkNames: 'chunks/[name]-[hash]',
  // undici is CommonJS, and with code splitting esbuild hands a dynamically imported CommonJS
  // module over with only its default export. Only a send loads it, from node_modules.
  external: ['undici'],
  logLevel: 'warning',
});
