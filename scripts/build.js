// Bundles the CLI into dist/ with esbuild. Each command's code is split into its own chunk and
// loaded only when that command runs, so start-up parses one small file; the heavy dependencies
// (undici for sending, conf for writing the config) stay out of the paths that do not use them.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

// Built beside dist/ and swapped in at the end, so a gcmpush process started during a build (a
// test running while another rebuilds) finds the old bundle or the new one, never half of one.
const root = fileURLToPath(new URL('..', import.meta.url));
const dist = `${root}dist`;
const fresh = mkdtempSync(`${root}.dist-`);
// Bundled CommonJS dependencies call require(); give the ESM output one.
const banner = {
  js: [
    "import { createRequire as __gcmpushRequire } from 'node:module';",
    'const require = __gcmpushRequire(import.meta.url);',
  ].join(' '),
};
// `ids list` runs from a file of its own (see src/fast-ids-list.ts): the main bundle imports it
// as it is, and it is bundled whole below, sharing no chunk.
const FAST_IDS_LIST = './fast-ids-list.js';
const fastIdsListApart = {
  name: 'fast-ids-list-apart',
  setup(on) {
    on.onResolve({ filter: /^\.\/fast-ids-list\.js$/ }, () => ({
      path: FAST_IDS_LIST,
      external: true,
    }));
  },
};
await build({
  entryPoints: ['src/fast-ids-list.ts'],
  outfile: `${fresh}/fast-ids-list.js`,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  banner,
  // Only a change to the config loads these; they stay the main bundle's.
  external: ['conf', 'proper-lockfile', 'undici'],
  logLevel: 'warning',
});
await build({
  entryPoints: ['src/cli.ts'],
  outdir: fresh,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  define: { GCMPUSH_VERSION: JSON.stringify(version) },
  banner,
  plugins: [fastIdsListApart],
  chunkNames: 'chunks/[name]-[hash]',
  // undici is CommonJS, and with code splitting esbuild hands a dynamically imported CommonJS
  // module over with only its default export. Only a send loads it, from node_modules.
  external: ['undici'],
  logLevel: 'warning',
});
// `gcmpush --help` is answered from this file without loading commander: it is commander's own
// output, rendered by the bundle just built, to a pipe (so 80 columns), before help.txt exists.
const help = execFileSync(process.execPath, [`${fresh}/cli.js`, '--help'], {
  env: { PATH: process.env.PATH },
  stdio: ['ignore', 'pipe', 'inherit'],
});
writeFileSync(`${fresh}/help.txt`, help);
const old = `${fresh}-old`;
try {
  renameSync(dist, old);
} catch (error) {
  if (error.code !== 'ENOENT') throw error;
}
renameSync(fresh, dist);
rmSync(old, { recursive: true, force: true });
