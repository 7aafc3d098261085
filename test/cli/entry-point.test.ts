/**
 * `bin/traffic-shift.mjs`, the entry point, under the Nodes a user may have: the system Node (20 on the
 * project's machines, which cannot run TypeScript), the project's Node 24, and a Node without type
 * stripping with the project's Node missing (what an `ignore-scripts` install leaves): it runs the CLI, or
 * says in one plain message what is wrong and the command that fixes it, exit 1, no stack trace.
 */
import { accessSync, constants, copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import packageJson from '../../package.json' with { type: 'json' };
import { BIN, cleanEnv, runCli, startCommand } from './run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'traffic-shift-entry-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The first `node` on PATH outside node_modules: the machine's own Node. */
function systemNode(): string {
  for (const folder of (process.env['PATH'] ?? '').split(delimiter)) {
    if (folder.includes('node_modules')) continue;
    const candidate = join(folder, 'node');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new Error('no node on PATH outside node_modules');
}

async function versionOf(node: string): Promise<string> {
  const result = await startCommand(node, ['-p', 'process.versions.node']).done;
  return result.stdout.trim();
}

/** Type stripping on by default: 22.18+ on 22.x, 23.6+. */
function stripsTypes(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 23 || (major === 23 && minor >= 6) || (major === 22 && minor >= 18);
}

const HIDDEN = { TRAFFIC_SHIFT_NODE: join(dir, 'no-such-node') };
const STACK_FRAME = /^\s+at /m;

describe('bin/traffic-shift.mjs', () => {
  it.each([
    { name: 'the system Node', node: systemNode },
    { name: "the project's Node 24", node: () => process.execPath },
  ])('under $name: --version prints the package version', async ({ node }) => {
    // Act
    const result = await startCommand(node(), [BIN, '--version']).done;

    // Assess
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe(packageJson.version);
  });

  it('under the system Node: --help runs the CLI (on the project Node)', async () => {
    // Act
    const result = await startCommand(systemNode(), [BIN, '--help']).done;

    // Assess
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Usage: traffic-shift');
    expect(result.stdout).toContain('rehearse');
  });

  it("the project's Node missing, under the system Node: the plain message and exit 1 unless that Node strips types", async () => {
    // Prepare
    const node = systemNode();
    const version = await versionOf(node);

    // Act
    const result = await startCommand(node, [BIN, '--version'], cleanEnv(HIDDEN)).done;

    // Assess
    if (stripsTypes(version)) {
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout.trim()).toBe(packageJson.version);
    } else {
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(`this is Node ${version}, which cannot run TypeScript`);
      expect(result.stderr).toContain('Fix: npm rebuild node --ignore-scripts=false');
      expect(result.stderr).not.toMatch(STACK_FRAME);
    }
  });

  it("the project's Node missing and a Node without type stripping: names the cause and the fix, exit 1, no stack trace", async () => {
    // Act: Node 24 with type stripping switched off stands for any Node older than 22.18.
    const result = await startCommand(
      process.execPath,
      ['--no-experimental-strip-types', BIN, 'rehearse', '--pace', '0'],
      cleanEnv(HIDDEN)
    ).done;

    // Assess
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^traffic-shift: the project's Node 24 is missing: the 'node' package's install script did not run \(npm with ignore-scripts\), and this is Node [\d.]+, which cannot run TypeScript/
      ),
      'Fix: npm rebuild node --ignore-scripts=false   (or install Node >= 22.18)',
    ]);
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });

  it("the project's Node missing, on a Node that strips types: runs the CLI on the running Node", async () => {
    // Act
    const result = await runCli(['--version'], cleanEnv(HIDDEN));

    // Assess
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe(packageJson.version);
  });

  it('no dependencies installed (a fresh clone): says to run npm ci, exit 1', async () => {
    // Prepare: the wrapper alone, where no node_modules is next to it.
    const clone = join(dir, 'clone');
    mkdirSync(join(clone, 'bin'), { recursive: true });
    const wrapper = join(clone, 'bin', 'traffic-shift.mjs');
    copyFileSync(BIN, wrapper);

    // Act
    const result = await startCommand(
      process.execPath,
      ['--no-experimental-strip-types', wrapper, '--version'],
      cleanEnv()
    ).done;

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("the project's dependencies are not installed");
    expect(result.stderr).toContain('Fix: npm ci');
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });

  it("passes the CLI's exit code through (invalid input: 4)", async () => {
    // Act
    const result = await runCli(['plan', join(dir, 'missing.json')]);

    // Assess
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('cannot read');
  });
});
