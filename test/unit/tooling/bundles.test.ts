/**
 * What each deployed bundle contains: every handler built with the deployed settings (scripts/build-options.ts,
 * the same object scripts/build.ts, the bench and template.yaml use) plus esbuild's metafile. Guards the cuts
 * that bring every function under 600 KB (issue 13): no X-Ray SDK, zod only where input is parsed, and the
 * External modules reached only through `import()` (a static import of one would fail at Lambda's INIT).
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { esbuildOptions } from '../../../scripts/build-options.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const HANDLERS_DIR = join(ROOT, 'functions/handlers');
const MAX_BUNDLE_BYTES = 600 * 1024;

interface Bundle {
  fn: string;
  bytes: number;
  /** npm packages with code in the output. */
  packages: Set<string>;
  metafile: Metafile;
}

function packageOf(path: string): string | undefined {
  return /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path.replace(/\\/g, '/'))?.[1];
}

let outDir: string;
const bundles: Bundle[] = [];

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'traffic-shift-bundles-'));
  const files = readdirSync(HANDLERS_DIR).filter((file) => file.endsWith('.ts'));
  const built = await Promise.all(
    files.map(async (file) => {
      const fn = basename(file, '.ts');
      const result = await build({
        ...esbuildOptions,
        logLevel: 'silent',
        absWorkingDir: ROOT,
        entryPoints: [join(HANDLERS_DIR, file)],
        outfile: join(outDir, fn, 'index.mjs'),
        metafile: true,
      });
      const output = Object.entries(result.metafile.outputs).find(([path]) =>
        path.endsWith('.mjs')
      )?.[1];
      const packages = new Set<string>();
      for (const [path, input] of Object.entries(output?.inputs ?? {})) {
        const name = packageOf(path);
        if (name !== undefined && input.bytesInOutput > 0) packages.add(name);
      }
      return { fn, bytes: output?.bytes ?? 0, packages, metafile: result.metafile };
    })
  );
  bundles.push(...built.sort((a, b) => a.fn.localeCompare(b.fn)));
}, 60_000);

afterAll(() => {
  rmSync(outDir, { recursive: true, force: true });
});

describe('the deployed bundles', () => {
  it('builds one bundle per handler', () => {
    expect(bundles.map((bundle) => bundle.fn)).toContain('preflight');
    expect(bundles.length).toBe(readdirSync(HANDLERS_DIR).filter((f) => f.endsWith('.ts')).length);
  });

  it('are each at most 600 KB (the source map not counted)', () => {
    const over = bundles
      .filter((bundle) => bundle.bytes > MAX_BUNDLE_BYTES)
      .map((bundle) => `${bundle.fn} ${Math.round(bundle.bytes / 1024)} KB`);
    expect(over).toEqual([]);
  });

  it('carry no X-Ray SDK: Lambda records the invocation segment itself (Tracing: Active)', () => {
    const traced = bundles
      .filter((bundle) =>
        ['aws-xray-sdk-core', '@aws-lambda-powertools/tracer'].some((name) =>
          bundle.packages.has(name)
        )
      )
      .map((bundle) => bundle.fn);
    expect(traced).toEqual([]);
  });

  it('bundle zod only in Preflight, the one function that parses input', () => {
    const withZod = bundles
      .filter((bundle) => bundle.packages.has('zod'))
      .map((bundle) => bundle.fn);
    expect(withZod).toEqual(['preflight']);
  });

  it("bundle zod/mini, not classic zod's methods (about 60 KB more in Preflight)", () => {
    const classic = bundles
      .filter((bundle) =>
        Object.keys(bundle.metafile.inputs).some((path) =>
          /node_modules\/zod\/v4\/classic\//.test(path.replace(/\\/g, '/'))
        )
      )
      .map((bundle) => bundle.fn);
    expect(classic).toEqual([]);
  });

  it('reach every External module only through import(), never at module load', () => {
    // Act
    const external = new Set<string>(esbuildOptions.external);
    const imports = bundles.flatMap((bundle) =>
      Object.values(bundle.metafile.inputs).flatMap((input) =>
        input.imports
          .filter((item) => item.external === true && external.has(item.path))
          .map((item) => ({ fn: bundle.fn, path: item.path, kind: item.kind }))
      )
    );

    // Assess: each is still imported (so the list is not stale), and only dynamically.
    expect(new Set(imports.map((item) => item.path))).toEqual(external);
    expect(imports.filter((item) => item.kind !== 'dynamic-import')).toEqual([]);
  });
});
