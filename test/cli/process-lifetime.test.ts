/**
 * Who stops a rehearsal and how, end to end with the real processes: SIGTERM (what `timeout`, a CI cancel
 * and supervisors send) to the wrapper, to `npm run` and to `npx`, and SIGHUP (terminal closed) abort and
 * restore exactly like Ctrl-C;
 * SIGKILL of the wrapper still restores (the CLI sees its IPC channel close); SIGKILL of the CLI takes
 * moto down with it. The rehearsal runs slowly (--pace 20) so that it is mid-shift when stopped.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type RunningCli, startCli, startCommand } from './run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'traffic-shift-lifetime-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Summary {
  outcome: string;
  exitCode: number;
  atSnapshot: boolean;
  weights: { snapshot: unknown; final: unknown }[];
}

const slowRehearsal = (report: string) => [
  '--scenario',
  'healthy',
  '--pace',
  '20',
  '--json',
  '--report',
  join(dir, report),
];

/** Waits until the rehearsal has shifted the first step; returns moto's port. */
async function midShift(run: RunningCli): Promise<number> {
  await run.waitFor(/shift +1% green/, 45_000);
  const port = /moto_server on http:\/\/127\.0\.0\.1:(\d+)/.exec(run.output().stderr)?.[1];
  expect(port).toBeDefined();
  return Number(port);
}

function expectRestored(stdout: string): void {
  const summary = JSON.parse(stdout) as Summary;
  expect(summary.outcome).toBe('aborted');
  expect(summary.exitCode).toBe(3);
  expect(summary.atSnapshot).toBe(true);
  for (const pair of summary.weights) expect(pair.final).toEqual(pair.snapshot);
}

/** The only child of `pid` (the CLI under the wrapper). */
function childOf(pid: number): number {
  const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
    .trim()
    .split(/\s+/)
    .map(Number);
  expect(children).toHaveLength(1);
  return children[0]!;
}

function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

async function waitUntilRefused(port: number, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await refusesConnections(port)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

describe('stopping a rehearsal', () => {
  it.each(['SIGTERM', 'SIGHUP'] as const)(
    '%s to the command: stops the execution, on-execution-end restores, exit 3',
    async (signal) => {
      // Prepare
      const run = startCli(['rehearse', ...slowRehearsal(`${signal}.html`)]);
      await midShift(run);

      // Act
      run.child.kill(signal);
      const result = await run.done;

      // Assess
      expect(result.code, result.stderr).toBe(3);
      expectRestored(result.stdout);
      expect(result.stderr).toContain(`${signal}: stopping the execution`);
      expect(result.stderr).toMatch(/on-end +restore/);
      expect(readFileSync(join(dir, `${signal}.html`), 'utf8')).toContain('id="abort-marker"');
    },
    90_000
  );

  it('SIGTERM to `npm run rehearse`: the same, and npm exits 3', async () => {
    // Prepare
    const run = startCommand('npm', [
      'run',
      '--silent',
      'rehearse',
      '--',
      ...slowRehearsal('npm.html'),
    ]);
    await midShift(run);

    // Act
    run.child.kill('SIGTERM');
    const result = await run.done;

    // Assess
    expect(result.code, result.stderr).toBe(3);
    expectRestored(result.stdout);
    expect(result.stderr).toContain('SIGTERM: stopping the execution');
  }, 90_000);

  it('SIGTERM to `npx traffic-shift rehearse`: npx dies of it, the rehearsal still aborts and restores', async () => {
    // Prepare
    const run = startCommand('npx', ['traffic-shift', 'rehearse', ...slowRehearsal('npx.html')]);
    await midShift(run);

    // Act
    run.child.kill('SIGTERM');
    // The CLI keeps npx's stdout and stderr open until it exits: 'close' waits for the restore.
    const result = await run.done;

    // Assess
    expectRestored(result.stdout);
    expect(result.stderr).toContain('npm, which started this command, is gone: stopping');
    expect(result.stderr).toMatch(/on-end +restore/);
  }, 90_000);

  it('SIGKILL of the wrapper: the CLI sees its lifeline close, aborts and restores', async () => {
    // Prepare
    const run = startCli(['rehearse', ...slowRehearsal('wrapper-kill.html')]);
    await midShift(run);

    // Act
    run.child.kill('SIGKILL');
    const result = await run.done;

    // Assess
    expect(result.signal).toBe('SIGKILL');
    expectRestored(result.stdout);
    expect(result.stderr).toContain('SIGTERM: stopping the execution');
  }, 90_000);

  it('SIGKILL of the CLI: moto dies with it, the wrapper exits 128 + 9', async () => {
    // Prepare
    const run = startCli(['rehearse', ...slowRehearsal('cli-kill.html')]);
    const port = await midShift(run);
    expect(await refusesConnections(port)).toBe(false);

    // Act
    process.kill(childOf(run.child.pid!), 'SIGKILL');
    const result = await run.done;

    // Assess
    expect(result.code).toBe(137);
    expect(await waitUntilRefused(port, 5_000)).toBe(true);
  }, 90_000);
});
