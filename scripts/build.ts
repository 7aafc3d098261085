/**
 * Bundles every Lambda handler the way SAM's esbuild builder does (template.yaml Metadata, the same settings:
 * scripts/build-options.ts), one bundle per function in .build/<function>/index.mjs. Proves the handlers bundle
 * without SAM.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { build } from 'esbuild';
import { esbuildOptions } from './build-options.ts';

const handlersDir = 'functions/handlers';
const outRoot = process.argv[2] ?? '.build';
const entries = readdirSync(handlersDir).filter((file) => file.endsWith('.ts'));

const results: { fn: string; bytes: number }[] = [];
for (const file of entries) {
  const fn = basename(file, '.ts');
  const outfile = join(outRoot, fn, 'index.mjs');
  await build({ ...esbuildOptions, entryPoints: [join(handlersDir, file)], outfile });
  results.push({ fn, bytes: statSync(outfile).size });
}
for (const { fn, bytes } of results)
  console.log(`${fn.padEnd(20)} ${(bytes / 1024).toFixed(1).padStart(8)} KB`);
