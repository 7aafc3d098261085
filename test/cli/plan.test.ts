/**
 * `traffic-shift plan FILE` (no AWS call) and the help every command carries.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../cli/commands/program.ts';
import { parseMigrationInput } from '../../functions/core/input.ts';
import { estimatePlan } from '../../functions/core/plan.ts';
import { ROOT, runCli } from './run-cli.ts';

const EXAMPLE = join(ROOT, 'examples/minimal-steps.json');
const example = parseMigrationInput(JSON.parse(readFileSync(EXAMPLE, 'utf8')));

describe.concurrent('traffic-shift plan', () => {
  it('prints every step, the ETA and the worst-case exposure with their formulas', async () => {
    // Prepare
    const estimate = estimatePlan(example, { ttlSeconds: 60 });

    // Act
    const result = await runCli(['plan', EXAMPLE]);

    // Assess
    expect(result.code, result.stderr).toBe(0);
    for (const step of estimate.steps) expect(result.stdout).toMatch(new RegExp(`\\s${step}%\\s`));
    expect(result.stdout).toContain('ETA                  1 h 2 min');
    expect(result.stdout).toContain(estimate.formulas.eta);
    // 150 s delay + 60 s period + 2 x 60 s (minEvidenceMinutes 3) + 60 s rollback sync + 60 s TTL
    expect(result.stdout).toContain('worst-case exposure  7 min 30 s');
    expect(result.stdout).toContain(estimate.formulas.worstCaseExposure);
    expect(result.stdout).toContain('orders.internal.example.com A');
  });

  it('--json parses and carries the estimate; --ttl changes it', async () => {
    // Prepare
    const estimate = estimatePlan(example, { ttlSeconds: 300 });

    // Act
    const result = await runCli(['plan', EXAMPLE, '--ttl', '300', '--json']);

    // Assess
    expect(result.code).toBe(0);
    const body = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(body).toMatchObject({
      migrationId: 'orders-api',
      ttlSeconds: 300,
      steps: estimate.steps,
      etaSeconds: estimate.etaSeconds,
      worstCaseExposureSeconds: estimate.worstCaseExposureSeconds,
    });
  });

  it('--ttl above dns.maxTtlSeconds warns that preflight would refuse such a record; within it, no warning', async () => {
    // Act
    const over = await runCli(['plan', EXAMPLE, '--ttl', String(example.dns.maxTtlSeconds + 1)]);
    const within = await runCli(['plan', EXAMPLE, '--ttl', String(example.dns.maxTtlSeconds)]);

    // Assess
    expect(over.code).toBe(0);
    expect(over.stderr).toContain(
      `warning: --ttl ${example.dns.maxTtlSeconds + 1} s exceeds dns.maxTtlSeconds (${example.dns.maxTtlSeconds} s): preflight refuses non-alias records`
    );
    expect(within.stderr).not.toContain('warning');
  });

  it('observe mode: says no weight is written and there is no exposure', async () => {
    // Act
    const result = await runCli(['plan', join(ROOT, 'examples/observe-only.json')]);

    // Assess
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('observed only (no weight is written)');
    expect(result.stdout).toContain('worst-case exposure  none: observe mode writes no weight');
    expect(result.stdout).toContain('decide (and record) a rollback when');
    expect(result.stdout).not.toMatch(/^ {2}roll back when/m);
  });

  it('the step table stays aligned whatever the widths (a week-long bake, one-decimal steps)', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'traffic-shift-plan-'));
    const file = join(dir, 'wide.json');
    const body = JSON.parse(readFileSync(EXAMPLE, 'utf8'));
    body.plan = { steps: [0.5, 33.3, 100], bakeSeconds: 604_800, evaluationIntervalSeconds: 3_600 };
    body.metrics.publicationDelaySeconds = 900;
    writeFileSync(file, JSON.stringify(body));

    // Act
    const result = await runCli(['plan', file]);

    // Assess
    rmSync(dir, { recursive: true, force: true });
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.split('\n');
    const header = lines.findIndex((line) => line.trimStart().startsWith('step'));
    const table = lines.slice(header, header + 4);
    // Right-aligned columns: every cell of a column ends where its header ends.
    for (const title of ['green', 'bake', 'total', 'done at']) {
      const end = (table[0] ?? '').indexOf(title) + title.length;
      for (const row of table.slice(1)) expect(row[end - 1], `${title} in ${row}`).toMatch(/\S/);
      for (const row of table.slice(1)) expect(row[end] ?? ' ', `${title} in ${row}`).toBe(' ');
    }
  });

  it('a file saved with a UTF-8 byte-order mark and a $schema pointer is accepted', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'traffic-shift-plan-'));
    const file = join(dir, 'bom.json');
    const body = {
      $schema: '../schema/migration-input.schema.json',
      ...JSON.parse(readFileSync(EXAMPLE, 'utf8')),
    };
    writeFileSync(file, `\uFEFF${JSON.stringify(body)}`);

    // Act
    const result = await runCli(['plan', file, '--json']);

    // Assess
    rmSync(dir, { recursive: true, force: true });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).input).not.toHaveProperty('$schema');
  });

  it('an invalid file exits 4 and names the field and the rule', async () => {
    // Act
    const result = await runCli(['plan', join(ROOT, 'package.json')]);

    // Assess
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('migrationId: is required');
    expect(result.stderr).toMatch(/name: unknown key/);
  });

  it('a file that is not JSON exits 4 and says so', async () => {
    // Act
    const result = await runCli(['plan', join(ROOT, 'template.yaml'), '--json']);

    // Assess
    expect(result.code).toBe(4);
    expect(JSON.parse(result.stdout)).toMatchObject({ outcome: 'invalid-input', exitCode: 4 });
    expect(result.stderr).toMatch(/is not JSON|cannot read/);
  });
});

/** Runs the program in-process with commander's exits turned into exceptions and its output captured. */
async function help(argv: string[]): Promise<{ out: string; err: string; code: string }> {
  let out = '';
  let err = '';
  const program = buildProgram(async () => undefined, {
    output: { writeOut: (text) => (out += text), writeErr: (text) => (err += text) },
  });
  try {
    await program.parseAsync(['node', 'traffic-shift', ...argv]);
    return { out, err, code: 'none' };
  } catch (error) {
    return { out, err, code: (error as CommanderError).code };
  }
}

describe('traffic-shift --help', () => {
  it.each(['rehearse', 'run-local', 'plan', 'start', 'status', 'abort', 'rollback', 'report'])(
    '%s --help describes its options',
    async (command) => {
      // Act
      const result = await help([command, '--help']);

      // Assess
      expect(result.code).toBe('commander.helpDisplayed');
      expect(result.out).toContain(`Usage: traffic-shift ${command}`);
      expect(result.out).toContain('--help');
      expect(result.out).toContain('--json');
    }
  );

  it('the program help lists every command and the exit codes', async () => {
    // Act
    const result = await help(['--help']);

    // Assess
    for (const command of [
      'rehearse',
      'run-local',
      'plan',
      'start',
      'status',
      'abort',
      'rollback',
      'report',
    ])
      expect(result.out).toContain(command);
    expect(result.out).toContain('2  rolled back');
    expect(result.out).toContain('4  invalid input');
    expect(result.out).toContain('6  rollback: the migration is finished');
    expect(result.out).toContain('--version');
  });

  it('an unknown scenario is refused with the choices', async () => {
    // Act
    const result = await help(['rehearse', '--scenario', 'nope']);

    // Assess
    expect(result.code).toBe('commander.invalidArgument');
    expect(result.err).toContain('healthy');
  });

  it('start without a state machine, or --stack without --account, names what is missing', async () => {
    // Act
    const bare = await runCli(['start', EXAMPLE]);
    const stackOnly = await runCli(['start', EXAMPLE, '--stack', 'demo', '--region', 'us-east-1']);

    // Assess
    expect(bare.code).toBe(1);
    expect(bare.stderr).toMatch(/--state-machine-arn|AWS region/);
    expect(stackOnly.code).toBe(1);
    expect(stackOnly.stderr).toContain('--stack needs --account');
  });

  it('a watch interval that is not a number is refused by the argument parser', async () => {
    // Act
    const result = await help([
      'status',
      'arn:aws:states:us-east-1:123456789012:execution:sm:x',
      '--watch',
      'soon',
    ]);

    // Assess
    expect(result.code).toBe('commander.invalidArgument');
  });
});
