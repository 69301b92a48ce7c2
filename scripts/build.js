// Bundles the CLI into dist/ with esbuild. Each command's code is split into its own chunk and
// loaded only when that command runs, so start-up parses one small file; the heavy dependencies
// (undici for sending, conf for writing the config) stay out of the paths that do not use them.
import { build } from 'esbuild';
import { mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

// Built beside dist/ and swapped in at the end, so a gcmpush process started during a build (a
// test running while another rebuilds) finds the old bundle or the new one, never half of one.
const root = fileURLToPath(new URL('..', import.meta.url));
const dist = `${root}dist`;
const fresh = mkdtempSync(`${root}.dist-`);
await build({
  entryPoints: ['src/cli.ts'],
  outdir: fresh,
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
const old = `${fresh}-old`;
try {
  renameSync(dist, old);
} catch (error) {
  if (error.code !== 'ENOENT') throw error;
}
renameSync(fresh, dist);
rmSync(old, { recursive: true, force: true });
