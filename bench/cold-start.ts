/**
 * Part 3: cold start. Bundles every handler with esbuild exactly as scripts/build.ts (and SAM's esbuild
 * builder, template.yaml Metadata) does, with the same options object (scripts/build-options.ts: ESM, minified,
 * node24, mainFields module,main, source map, the createRequire banner); plus a metafile to see what each bundle
 * contains. Init runs with the deployed NODE_OPTIONS (--enable-source-maps). Then, per bundle:
 * - size of index.mjs (minified JavaScript, source map not counted);
 * - the @aws-sdk clients it contains (metafile inputs) against the clients its handler constructs;
 * - the largest packages by bytes in the output;
 * - module initialization time, two ways, median of `runs` fresh Node processes each:
 *   (a) in process: `performance.now()` around `await import(bundle)` (what Lambda's INIT spends on our code),
 *   (b) wall clock of `node bundle` minus wall clock of a bare `node -e 0` (the issue's definition).
 * Node is the one running this script (process.execPath: the project's Node 24 under npm).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { deployedNodeOptions, esbuildOptions } from '../scripts/build-options.ts';

const HANDLERS_DIR = 'functions/handlers';

/** Reference bundles, not functions: what our own code costs, and what one SDK client costs alone. */
const REFERENCES = [
  {
    label: 'middy + Powertools + the core, no SDK client',
    source: `import { lambda } from './functions/lib/middy.ts';
import * as core from './functions/core/index.ts';
export const handler = lambda(async () => Object.keys(core).length);`,
  },
  {
    label: 'new Route53Client({}) alone',
    source: `import { Route53Client } from '@aws-sdk/client-route-53';
export const client = new Route53Client({});`,
  },
] as const;

/** The deployed settings (scripts/build-options.ts, also template.yaml's Metadata) plus a metafile. */
const BUILD_OPTIONS = { ...esbuildOptions, metafile: true } as const;

export interface BundleResult {
  fn: string;
  bytes: number;
  /** @aws-sdk/client-* packages found in the bundle. */
  clients: string[];
  /** @aws-sdk/client-* packages the handler file imports (value imports). */
  expectedClients: string[];
  /** Clients bundled but not imported by the handler itself. */
  extraClients: string[];
  topPackages: { name: string; kb: number }[];
  initInProcessMs: { median: number; min: number; max: number };
  initWallMs: { median: number; min: number; max: number };
  /**
   * CPU time (user + system) of the same in-process imports: on a shared machine the wall time waits for the
   * CPU, the CPU time much less. It can exceed the wall time (GC and compiler threads).
   */
  initCpuMs: { median: number; min: number; max: number };
  /** In process without NODE_OPTIONS (no --enable-source-maps): the flag's share of init. */
  initInProcessWithoutNodeOptionsMs: { median: number; min: number; max: number };
}

export interface ColdStartResult {
  runs: number;
  /** NODE_OPTIONS every init was measured with (the deployed value), except the `WithoutNodeOptions` figures. */
  nodeOptions: string;
  /** esbuild's mainFields: the deployed resolution order. */
  mainFields: readonly string[];
  bareNodeWallMs: number;
  node: string;
  bundles: BundleResult[];
  /** Reference bundles, not functions: our own code without any SDK client; one SDK client alone. */
  references: { label: string; bytes: number; initInProcessMs: { median: number; min: number } }[];
  /** Bundle sizes with `@aws-sdk/*` and `@smithy/*` left to the nodejs24.x runtime (External). */
  sdkExternalBytes: Record<string, number>;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

const round = (value: number) => Math.round(value * 10) / 10;

/** The package an input path belongs to: `@aws-sdk/client-cloudwatch`, `zod`, or `(project)`. */
function packageOf(path: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path.replace(/\\/g, '/'));
  return match?.[1] ?? '(project)';
}

/** `@aws-sdk/client-*` packages a source file value-imports (type imports bundle nothing). */
function clientImportsOf(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  return [
    ...source.matchAll(/^import\s+(?!type\b)[^;]*?from\s+'@aws-sdk\/(client-[a-z0-9-]+)'/gm),
  ].map((match) => `@aws-sdk/${match[1]}`);
}

/**
 * The clients a handler constructs: those its file imports, and those of the functions/lib factories it imports
 * (registry-from-env.ts builds the DynamoDB client of the deployed registry). Adapters are not followed: they
 * take their client in the constructor, so a client that only an adapter imports is one nobody builds.
 */
function expectedClientsOf(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  const factories = [
    ...source.matchAll(/^import\s+(?!type\b)[^;]*?from\s+'\.\.\/lib\/([a-z0-9-]+\.ts)'/gm),
  ].map((match) => join(dirname(file), '..', 'lib', match[1] as string));
  return [...new Set([file, ...factories].flatMap(clientImportsOf))].sort();
}

/** Environment of a Lambda function at INIT (what the SDK and Powertools read at import). */
const LAMBDA_ENV = {
  PATH: process.env['PATH'] ?? '',
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  // Set on Lambda; Powertools and the SDK read it (user agent), so init sees what a function sees.
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
  AWS_LAMBDA_FUNCTION_NAME: 'traffic-shift-bench',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
  AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
  POWERTOOLS_SERVICE_NAME: 'traffic-shift',
  // As deployed (template.yaml Globals): SAM adds --enable-source-maps anyway when Sourcemap is true.
  NODE_OPTIONS: deployedNodeOptions,
};
/** The same without NODE_OPTIONS: what the source-map flag costs. */
const { NODE_OPTIONS: _flag, ...LAMBDA_ENV_WITHOUT_NODE_OPTIONS } = LAMBDA_ENV;

function timeWall(args: string[]): number {
  const started = performance.now();
  const run = spawnSync(process.execPath, args, { env: LAMBDA_ENV, encoding: 'utf8' });
  const elapsed = performance.now() - started;
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${run.stderr}`);
  return elapsed;
}

/** CPU time (user + system) of the last timeImport: far less sensitive to other processes than wall time. */
let lastImportCpuMs = 0;

function timeImport(bundle: string, env: Record<string, string> = LAMBDA_ENV): number {
  const url = pathToFileURL(bundle).href;
  const code = `const c = process.cpuUsage(); const t = performance.now(); await import(${JSON.stringify(url)}); const ms = performance.now() - t; const cpu = process.cpuUsage(c); process.stdout.write(ms + ' ' + (cpu.user + cpu.system) / 1000);`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
    env,
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`importing ${bundle} failed: ${run.stderr}`);
  const [wall, cpu] = run.stdout.trim().split(' ').map(Number);
  lastImportCpuMs = cpu ?? Number.NaN;
  return wall ?? Number.NaN;
}

export async function runColdStart(
  options: { runs?: number; onProgress?: (message: string) => void } = {}
): Promise<ColdStartResult> {
  const runs = options.runs ?? 9;
  const outRoot = mkdtempSync(join(tmpdir(), 'traffic-shift-bench-'));
  try {
    const entries = readdirSync(HANDLERS_DIR)
      .filter((file) => file.endsWith('.ts'))
      .sort();
    const built: { fn: string; outfile: string; metafile: Metafile; entry: string }[] = [];
    for (const file of entries) {
      const fn = basename(file, '.ts');
      const outfile = join(outRoot, fn, 'index.mjs');
      const result = await build({
        ...BUILD_OPTIONS,
        entryPoints: [join(HANDLERS_DIR, file)],
        outfile,
      });
      built.push({ fn, outfile, metafile: result.metafile, entry: join(HANDLERS_DIR, file) });
    }
    const sdkExternalBytes: Record<string, number> = {};
    for (const file of entries) {
      const fn = basename(file, '.ts');
      const outfile = join(outRoot, 'sdk-external', fn, 'index.mjs');
      await build({
        ...BUILD_OPTIONS,
        entryPoints: [join(HANDLERS_DIR, file)],
        outfile,
        external: ['@aws-sdk/*', '@smithy/*'],
      });
      sdkExternalBytes[fn] = statSync(outfile).size;
    }
    const referenceFiles: string[] = [];
    for (const [index, reference] of REFERENCES.entries()) {
      const outfile = join(outRoot, `reference-${index}`, 'index.mjs');
      await build({
        ...BUILD_OPTIONS,
        stdin: { contents: reference.source, resolveDir: process.cwd(), loader: 'ts' },
        outfile,
      });
      referenceFiles.push(outfile);
    }
    options.onProgress?.(`  built ${built.length} bundles with esbuild (minified, ESM, node24)`);
    // Warm the file cache and the spawn path once, then measure round-robin: one sample of every bundle
    // (and of a bare node) per round, so load from other processes spreads over all of them alike.
    timeWall(['-e', '0']);
    for (const { outfile } of built) timeImport(outfile);
    for (const file of referenceFiles) timeImport(file);
    const bare: number[] = [];
    const inProcess = new Map<string, number[]>();
    const inProcessWithoutFlag = new Map<string, number[]>();
    const cpu = new Map<string, number[]>();
    const wallRaw = new Map<string, number[]>();
    const referenceInit: number[][] = referenceFiles.map(() => []);
    for (let round = 0; round < runs; round++) {
      bare.push(timeWall(['-e', '0']));
      for (const { fn, outfile } of built) {
        inProcess.set(fn, [...(inProcess.get(fn) ?? []), timeImport(outfile)]);
        cpu.set(fn, [...(cpu.get(fn) ?? []), lastImportCpuMs]);
        wallRaw.set(fn, [...(wallRaw.get(fn) ?? []), timeWall([outfile])]);
        inProcessWithoutFlag.set(fn, [
          ...(inProcessWithoutFlag.get(fn) ?? []),
          timeImport(outfile, LAMBDA_ENV_WITHOUT_NODE_OPTIONS),
        ]);
      }
      referenceFiles.forEach((file, index) => {
        referenceInit[index]?.push(timeImport(file));
      });
      options.onProgress?.(`  round ${round + 1}/${runs}`);
    }
    const bareNodeWallMs = median(bare);
    const stats = (values: number[]) => ({
      median: round(median(values)),
      min: round(Math.min(...values)),
      max: round(Math.max(...values)),
    });
    const bundles: BundleResult[] = built.map(({ fn, outfile, metafile, entry }) => {
      const output = Object.entries(metafile.outputs).find(([path]) => path.endsWith('.mjs'))?.[1];
      const byPackage = new Map<string, number>();
      for (const [path, info] of Object.entries(output?.inputs ?? {}))
        byPackage.set(packageOf(path), (byPackage.get(packageOf(path)) ?? 0) + info.bytesInOutput);
      const clients = [...byPackage.keys()]
        .filter((name) => name.startsWith('@aws-sdk/client-'))
        .sort();
      const expectedClients = expectedClientsOf(entry);
      return {
        fn,
        bytes: statSync(outfile).size,
        clients,
        expectedClients,
        extraClients: clients.filter((client) => !expectedClients.includes(client)),
        topPackages: [...byPackage.entries()]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 6)
          .map(([name, bytes]) => ({ name, kb: round(bytes / 1024) })),
        initInProcessMs: stats(inProcess.get(fn) ?? []),
        initWallMs: stats((wallRaw.get(fn) ?? []).map((ms) => ms - bareNodeWallMs)),
        initInProcessWithoutNodeOptionsMs: stats(inProcessWithoutFlag.get(fn) ?? []),
        initCpuMs: stats(cpu.get(fn) ?? []),
      };
    });
    const references = REFERENCES.map((reference, index) => {
      const values = referenceInit[index] ?? [];
      return {
        label: reference.label,
        bytes: statSync(referenceFiles[index] as string).size,
        initInProcessMs: { median: round(median(values)), min: round(Math.min(...values)) },
      };
    });
    return {
      runs,
      nodeOptions: deployedNodeOptions,
      mainFields: esbuildOptions.mainFields,
      bareNodeWallMs: round(bareNodeWallMs),
      node: process.version,
      bundles,
      references,
      sdkExternalBytes,
    };
  } finally {
    rmSync(outRoot, { recursive: true, force: true });
  }
}
