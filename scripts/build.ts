/**
 * Bundles every Lambda handler the way SAM's esbuild builder does (template.yaml Metadata): ESM, minified,
 * source maps, one bundle per function in .build/<function>/index.mjs. Proves the handlers bundle without SAM.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { build } from 'esbuild';

const handlersDir = 'functions/handlers';
const outRoot = process.argv[2] ?? '.build';
const entries = readdirSync(handlersDir).filter((file) => file.endsWith('.ts'));

const results: { fn: string; bytes: number }[] = [];
for (const file of entries) {
  const fn = basename(file, '.ts');
  const outfile = join(outRoot, fn, 'index.mjs');
  await build({
    entryPoints: [join(handlersDir, file)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minify: true,
    sourcemap: true,
    outfile,
    // Bundled CommonJS dependencies call require(); ESM output needs one (aws-facts.md §6.4).
    banner: {
      js: "import { createRequire } from 'module';const require = createRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
  results.push({ fn, bytes: statSync(outfile).size });
}
for (const { fn, bytes } of results)
  console.log(`${fn.padEnd(20)} ${(bytes / 1024).toFixed(1).padStart(8)} KB`);
