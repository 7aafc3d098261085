/**
 * The one definition of how a Lambda handler is bundled. scripts/build.ts and the bench's cold-start part use
 * `esbuildOptions`; template.yaml's per-function Metadata BuildProperties (SAM's esbuild builder) must equal
 * `samBuildProperties()` plus EntryPoints, and `deployedNodeOptions` must equal the template's Globals
 * NODE_OPTIONS (test/unit/build-options.test.ts checks both).
 */

/** Bundled CommonJS dependencies call require(); ESM output needs one (aws-facts.md §6.4). */
const REQUIRE_BANNER =
  "import { createRequire } from 'module';const require = createRequire(import.meta.url);";

/**
 * `module` first: the AWS SDK and Smithy packages publish ES-module builds (dist-es) that esbuild tree-shakes far
 * better than their CommonJS builds (dist-cjs), which is what `main` points to. SAM's default is `main,module`.
 */
const MAIN_FIELDS = ['module', 'main'];

/**
 * Modules the bundled SDK reaches only through `await import()` on paths a Lambda function never takes, left out
 * of every bundle (~105 KB each; in-process init of preflight ~135 -> ~105 ms CPU):
 * - the default credential chain's providers after `fromEnv` (SSO, ini files, credential_process, web identity,
 *   container/instance metadata) and, through them, the STS/SSO/sign-in clients of `@aws-sdk/nested-clients`:
 *   Lambda always sets AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN, and `fromEnv` is tried first
 *   (`@aws-sdk/credential-provider-node` defaultProvider; AWS_PROFILE is never set on Lambda). The cost: an
 *   environment that handed out credentials any other way (a container endpoint, as SnapStart does for other
 *   runtimes; not the nodejs24.x runtime today) would fail every call with ERR_MODULE_NOT_FOUND, because the
 *   chain reaches SSO before the container provider (test/unit/tooling/bundle-credentials.test.ts);
 * - Smithy's event-stream support, loaded only for operations with event-stream members, of which we call none.
 * esbuild keeps each as `import('<name>')` in the output. A static import of one would fail at INIT;
 * test/unit/tooling/bundles.test.ts checks that every function reaches them only dynamically.
 */
const NEVER_LOADED_ON_LAMBDA = [
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-http',
  '@smithy/credential-provider-imds',
  '@smithy/core/event-streams',
];

/**
 * `sourcesContent: false`: the source map keeps the mappings (stack traces still name the .ts file and line) but
 * not a copy of every source file, so the map --enable-source-maps reads and parses at INIT is a third of the
 * size (preflight 2.8 MB -> 0.9 MB; ~10 ms less init).
 */
export const esbuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  mainFields: MAIN_FIELDS,
  external: NEVER_LOADED_ON_LAMBDA,
  banner: { js: REQUIRE_BANNER },
  logLevel: 'warning',
} as const;

/** The same settings in SAM's spelling (Metadata BuildProperties), EntryPoints excluded. */
export function samBuildProperties(): Record<string, unknown> {
  return {
    Format: esbuildOptions.format,
    Target: esbuildOptions.target,
    OutExtension: ['.js=.mjs'],
    Minify: esbuildOptions.minify,
    Sourcemap: esbuildOptions.sourcemap,
    // A string: aws-lambda-builders passes a string as `--sources-content=<value>`, while a YAML boolean false
    // would drop the flag altogether (its boolean options only ever add a flag), leaving sourcesContent in.
    SourcesContent: String(esbuildOptions.sourcesContent),
    MainFields: MAIN_FIELDS.join(','),
    External: [...NEVER_LOADED_ON_LAMBDA],
    Banner: [`js=${REQUIRE_BANNER}`],
  };
}

/**
 * The functions' NODE_OPTIONS (template.yaml Globals). With `Sourcemap: true`, `sam build` appends
 * `--enable-source-maps` to NODE_OPTIONS whenever it is missing (aws-sam-cli samcli/lib/build/bundler.py,
 * `_set_sourcemap_env_from_metadata`), so source-map files without the runtime flag are not deployable with SAM's
 * builder: the flag is stated here and the bench measures init with it.
 */
export const deployedNodeOptions = '--enable-source-maps';
