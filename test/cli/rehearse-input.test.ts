/**
 * `traffic-shift rehearse --input FILE`, as a person runs it: their own input rehearsed against the traffic
 * model (zones seeded from its records, its plan and thresholds), the effective input shown in the summary
 * and the report, the rehearsal's own default policy, `--abort-at-step` past the plan, and what the progress
 * says while a step waits. Time compressed (--pace 0).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { zoneNameFor } from '../../cli/seed-input.ts';
import { LimitsSchema, MetricsSchema } from '../../functions/core/input.ts';
import { runCli } from './run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'traffic-shift-rehearse-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Summary {
  outcome: string;
  exitCode: number;
  inputSource: string;
  input: {
    migrationId: string;
    records: { hostedZoneId: string; name: string; type: string }[];
    plan: { bakeSeconds: number; finalBakeSeconds: number };
    metrics: { windowSeconds: number };
    limits: Record<string, unknown>;
  };
  steps: { planned: number[]; taken: number[] };
  evaluations: { Fail?: number };
  weights: { name: string; type: string }[];
}

async function rehearse(name: string, ...args: string[]) {
  const report = join(dir, `${name}.html`);
  const result = await runCli(['rehearse', '--pace', '0', '--report', report, ...args]);
  return { result, report };
}

describe.concurrent('traffic-shift rehearse --input', () => {
  it('examples/canary.json: its plan and limits run on seeded copies of its records; summary and report show them', async () => {
    // Act
    const { result, report } = await rehearse(
      'canary',
      '--input',
      'examples/canary.json',
      '--json'
    );

    // Assess
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as Summary;
    expect(summary.outcome).toBe('completed');
    expect(summary.inputSource).toBe('examples/canary.json');
    expect(summary.input.migrationId).toBe('checkout-canary');
    expect(summary.input.limits).toMatchObject({ maxFailures: 0, maxConsecutiveFailures: 0 });
    expect(summary.input.metrics.windowSeconds).toBe(600);
    expect(summary.steps.planned).toEqual([2.5, 100]);
    expect(summary.steps.taken).toEqual([2.5, 100]);
    expect(summary.weights.map((pair) => `${pair.name} ${pair.type}`)).toEqual([
      'checkout.example.com CNAME',
    ]);
    // The input's zone id is mapped onto the seeded zone's.
    expect(summary.input.records[0]?.hostedZoneId).not.toBe('Z0987654321ZYXWVUTSRQ');
    expect(result.stderr).toMatch(
      /seeded checkout\.example\.com CNAME \(TTL 60\) in example\.com \(input zone Z0987654321ZYXWVUTSRQ -> /
    );
    // No alias records, so no load balancers.
    expect(result.stderr).not.toContain('edge load balancers');
    const html = readFileSync(report, 'utf8');
    expect(html).toContain('id="effective-input"');
    expect(html).toContain('maxFailures 0, maxConsecutiveFailures 0');
    expect(html).toContain('plan 2.5%, 100%; bake 1800 s');
  }, 90_000);

  it('--scenario says what green does: error-regression on the canary fails at 100 % and rolls back (maxFailures 0)', async () => {
    // Act
    const { result } = await rehearse(
      'canary-regression',
      '--input',
      'examples/canary.json',
      '--scenario',
      'error-regression',
      '--json'
    );

    // Assess
    expect(result.code, result.stderr).toBe(2);
    const summary = JSON.parse(result.stdout) as Summary;
    expect(summary.evaluations.Fail).toBe(1);
    expect(summary.steps.taken).toEqual([2.5, 100]);
    expect(result.stderr).toContain('with green behaving as scenario error-regression');
  }, 90_000);

  it('several zones, alias and plain pairs: each input zone is seeded and judged together', async () => {
    // Act
    const { result } = await rehearse(
      'multi-zone',
      '--input',
      'examples/multi-zone-exponential.json',
      '--json'
    );

    // Assess
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as Summary;
    expect(new Set(summary.input.records.map((record) => record.hostedZoneId)).size).toBe(2);
    expect(result.stderr).toContain('api.example.com AAAA (alias to two load balancers)');
    // Its aliases point at one seeded ALB per environment (green's through `dualstack.`).
    expect(result.stderr).toMatch(
      /seeded edge load balancers: blue app\/[a-z0-9-]+-blue\/[0-9a-f]+ \([^)]+\), green app\/[a-z0-9-]+-green\/[0-9a-f]+ \(dualstack\./
    );
    expect(result.stderr).toContain('in internal.example.net');
  }, 90_000);

  it('without --input the rehearsal runs the documented defaults and shows them', async () => {
    // Act
    const { result } = await rehearse('defaults', '--json');

    // Assess
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as Summary;
    expect(summary.input.limits).toEqual(LimitsSchema.parse({}));
    expect(summary.input.metrics.windowSeconds).toBe(
      MetricsSchema.parse({ greenDiscoveryNames: ['x'] }).windowSeconds
    );
    expect(summary.input.plan.bakeSeconds).toBe(600);
    expect(summary.inputSource).toBe('scenario healthy: the documented defaults');
  }, 90_000);

  it('a scenario that differs from the defaults says why, in the text summary', async () => {
    // Act
    const { result } = await rehearse('low-traffic-why', '--scenario', 'low-traffic');

    // Assess
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout).toMatch(
      /input +scenario low-traffic: the documented defaults, except limits\.maxInconclusive 6/
    );
    expect(result.stdout).toMatch(/maxFailures 6, maxConsecutiveFailures 2, maxInconclusive 6/);
  }, 90_000);

  it.each([
    { args: ['--abort-at-step', '5'], steps: '5 steps' },
    { args: ['--input', 'examples/canary.json', '--abort-at-step', '2'], steps: '2 steps' },
  ])(
    '$args past the plan: exit 4 before anything runs, no report',
    async ({ args, steps }) => {
      // Act
      const { result, report } = await rehearse(`past-${args.length}`, ...args);

      // Assess
      expect(result.code, result.stderr).toBe(4);
      expect(result.stderr).toContain(`the plan has ${steps}`);
      expect(result.stderr).toContain('the run would complete without the stop');
      expect(existsSync(report)).toBe(false);
    },
    60_000
  );

  it('an input with a record type it cannot seed is refused naming the record: exit 4', async () => {
    // Prepare
    const canary = JSON.parse(readFileSync('examples/canary.json', 'utf8'));
    canary.records[0].type = 'CAA';
    const file = join(dir, 'caa.json');
    writeFileSync(file, JSON.stringify(canary));

    // Act
    const { result, report } = await rehearse('caa', '--input', file);

    // Assess
    expect(result.code, result.stderr).toBe(4);
    expect(result.stderr).toContain('records[0].type: rehearse --input seeds A, AAAA, CNAME');
    expect(existsSync(report)).toBe(false);
  }, 60_000);

  it('abort scenario: says why it stops (no --abort-at-step was given), shows the waits, no verdict after STOP', async () => {
    // Act
    const { result } = await rehearse('abort-text', '--scenario', 'abort');

    // Assess
    expect(result.code, result.stderr).toBe(3);
    const lines = result.stdout.split('\n');
    const stop = lines.findIndex((line) => / STOP /.test(line));
    expect(lines[stop]).toContain(
      'scenario abort: an operator stops during the bake of step 3 of 5'
    );
    expect(result.stdout).not.toContain('--abort-at-step');
    const end = lines.findIndex((line, index) => index > stop && line.trim() === '');
    for (const line of lines.slice(stop + 1, end))
      expect(line).not.toMatch(/Pass|Fail|Inconclusive|shift/);
    // After each shift: the INSYNC poll, then TTL + period + publication delay, with the time it ends.
    expect(result.stdout).toMatch(
      /\+0:00:00 {2}wait +for Route 53 to report the change INSYNC \(GetChange\), until \+0:01:00/
    );
    expect(result.stdout).toMatch(
      /\+0:01:00 {2}wait +INSYNC; waiting out the TTL \(60 s\), one full 60 s metric period and 90 s for its publication before the first evaluation, until \+0:04:30/
    );
  }, 90_000);
});

describe('zoneNameFor', () => {
  it.each([
    { names: ['checkout.example.com'], zone: 'example.com' },
    { names: ['example.com'], zone: 'example.com' },
    { names: ['api.example.com', 'www.example.com'], zone: 'example.com' },
    { names: ['a.b.example.com', 'c.b.example.com'], zone: 'b.example.com' },
  ])('$names -> $zone', ({ names, zone }) => {
    expect(zoneNameFor(names)).toBe(zone);
  });
});
