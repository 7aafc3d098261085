/**
 * The deployed build leaves the SDK's other credential providers out (scripts/build-options.ts External): a
 * bundle built with those settings, run where nothing but the bundle exists, must still sign and send a request
 * with the credentials Lambda puts in the environment. Route 53 GetChange against moto (always INSYNC).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Moto, startMoto } from '../../../cli/moto.ts';
import { deployedNodeOptions, esbuildOptions } from '../../../scripts/build-options.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const PROBE = `import { GetChangeCommand, Route53Client } from '@aws-sdk/client-route-53';
const client = new Route53Client({});
try {
  const { ChangeInfo } = await client.send(new GetChangeCommand({ Id: 'C2682N5HXP0BZ4' }));
  process.stdout.write(String(ChangeInfo?.Status));
} catch (error) {
  process.stdout.write('failed: ' + (error?.code ?? error?.name) + ' ' + error?.message);
}`;

let moto: Moto;
let outDir: string;
let bundle: string;

beforeAll(async () => {
  moto = await startMoto();
  // Outside the project: no node_modules above it, so an External module cannot be found.
  outDir = mkdtempSync(join(tmpdir(), 'traffic-shift-probe-'));
  bundle = join(outDir, 'index.mjs');
  await build({
    ...esbuildOptions,
    logLevel: 'silent',
    stdin: { contents: PROBE, resolveDir: ROOT, loader: 'js' },
    outfile: bundle,
  });
}, 60_000);

afterAll(async () => {
  await moto?.stop();
  rmSync(outDir, { recursive: true, force: true });
});

function runProbe(credentials: Record<string, string>): string {
  const run = spawnSync(process.execPath, [bundle], {
    cwd: outDir,
    encoding: 'utf8',
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: outDir,
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL: moto.endpoint,
      NODE_OPTIONS: deployedNodeOptions,
      ...credentials,
    },
  });
  return `${run.stdout}${run.stderr}`;
}

describe('a bundle built with the deployed settings', () => {
  it("signs with Lambda's environment credentials without the External providers", () => {
    const output = runProbe({
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'token',
    });

    expect(output).toBe('INSYNC');
  });

  it('really lacks them: without environment credentials the chain reaches one and cannot load it', () => {
    const output = runProbe({});

    expect(output).toMatch(/ERR_MODULE_NOT_FOUND.*@aws-sdk\/credential-provider-/s);
  });
});
