/**
 * `traffic-shift run-local --input FILE`: a user's own plan on the local engine, against the endpoints the
 * standard AWS_ENDPOINT_URL_* variables name (here a moto server this test starts and seeds; the migration
 * registry table is created in its DynamoDB on the first run, and the run says so).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { Route53Client } from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BLUE_DISCOVERY_NAMES, GREEN_DISCOVERY_NAMES } from '../../cli/scenarios.ts';
import { seedRehearsalZone } from '../../cli/seed.ts';
import { TrafficModel } from '../../cli/traffic-model.ts';
import { Route53TrafficRouter } from '../../functions/adapters/route53-traffic-router.ts';
import type { MigrationInputDraft } from '../../functions/core/input.ts';
import { clientConfig, type Moto, startMoto } from '../support/moto.ts';
import { cleanEnv, runCli } from './run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'traffic-shift-run-local-'));
let moto: Moto;

beforeAll(async () => {
  moto = await startMoto();
});
afterAll(async () => {
  await moto.stop();
  rmSync(dir, { recursive: true, force: true });
});

const motoEnv = (endpoint: string) =>
  cleanEnv({
    AWS_ENDPOINT_URL_ROUTE_53: endpoint,
    AWS_ENDPOINT_URL_CLOUDWATCH: endpoint,
    // The migration registry (locks, snapshots) is DynamoDB, here in the same moto.
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  });

/**
 * Seeds a zone and publishes metrics for both environments from 10 minutes ago to 2 hours ahead (the run's
 * virtual clock starts now and, with --time-scale max, runs ahead of real time); writes the input file.
 */
async function seededInput(domain: string, greenErrorRatePercent: number) {
  const config = clientConfig(moto.endpoint);
  const route53 = new Route53Client(config);
  const zone = await seedRehearsalZone(route53, domain);
  const now = Date.now();
  const model = new TrafficModel({
    cloudwatch: new CloudWatchClient(config),
    router: new Route53TrafficRouter(route53),
    clock: { now: () => new Date(now + 2 * 3_600_000) },
    records: zone.records,
    greenDiscoveryNames: GREEN_DISCOVERY_NAMES,
    blueDiscoveryNames: BLUE_DISCOVERY_NAMES,
    profile: {
      requestsPerMinute: 3_000,
      blue: () => ({ errorRatePercent: 0.2, latencyAvgMs: 80 }),
      green: () => ({ errorRatePercent: greenErrorRatePercent, latencyAvgMs: 72 }),
    },
    from: new Date(now - 10 * 60_000),
  });
  // Weights are 100 % blue while publishing: green's traffic is the synthetic share.
  model.greenSyntheticRequestsPerMinute = 1_500;
  await model.publishUntilNow();
  const input: MigrationInputDraft = {
    migrationId: domain.replace(/\W/g, '-'),
    records: zone.records,
    plan: {
      steps: [50, 100],
      bakeSeconds: 60,
      evaluationIntervalSeconds: 60,
      finalBakeSeconds: 60,
    },
    metrics: {
      greenDiscoveryNames: GREEN_DISCOVERY_NAMES,
      blueDiscoveryNames: BLUE_DISCOVERY_NAMES,
      windowSeconds: 120,
    },
  };
  const file = join(dir, `${domain}.json`);
  writeFileSync(file, JSON.stringify(input));
  return {
    file,
    zone,
    router: new Route53TrafficRouter(route53),
    report: join(dir, `${domain}.html`),
  };
}

interface LocalSummary {
  outcome: string;
  steps: { taken: number[] };
  greenPercent: { final: number };
  evaluations: { total: number };
  atSnapshot: boolean;
}

describe('traffic-shift run-local', () => {
  it('an invalid input exits 4 naming the field, before any AWS call', async () => {
    // Prepare: endpoints that refuse every connection; reaching them would be exit 1, not 4.
    const file = join(dir, 'invalid.json');
    writeFileSync(
      file,
      JSON.stringify({
        migrationId: 'orders',
        records: [
          {
            hostedZoneId: 'not a zone',
            name: 'api.example.com',
            type: 'A',
            blueSetIdentifier: 'b',
            greenSetIdentifier: 'g',
          },
        ],
        plan: { steps: [10, 100] },
        metrics: { greenDiscoveryNames: ['orders'] },
      })
    );
    const report = join(dir, 'invalid.html');

    // Act
    const result = await runCli(
      ['run-local', '--input', file, '--report', report],
      motoEnv('http://127.0.0.1:9')
    );

    // Assess
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('records[0].hostedZoneId');
    expect(result.stderr).toContain('must be a Route 53 hosted zone ID');
    expect(existsSync(report)).toBe(false);
  });

  it('--json on an invalid input prints the issues as JSON', async () => {
    // Prepare
    const file = join(dir, 'missing.json');
    writeFileSync(
      file,
      JSON.stringify({ migrationId: 'orders', records: [], plan: { steps: [100] } })
    );

    // Act
    const result = await runCli(
      ['run-local', '--input', file, '--json'],
      motoEnv('http://127.0.0.1:9')
    );

    // Assess
    expect(result.code).toBe(4);
    const body = JSON.parse(result.stdout) as {
      outcome: string;
      issues: { path: string; rule: string }[];
    };
    expect(body.outcome).toBe('invalid-input');
    expect(body.issues.map((issue) => issue.path)).toEqual(
      expect.arrayContaining(['records', 'metrics'])
    );
  });

  it('a valid plan against moto (endpoints from AWS_ENDPOINT_URL_*) completes with exit 0', async () => {
    // Prepare
    const { file, zone, router, report } = await seededInput('healthy.example', 0.15);

    // Act
    const result = await runCli(
      // The file as an argument, as plan and start take it (the others use --input).
      ['run-local', file, '--time-scale', 'max', '--json', '--report', report],
      motoEnv(moto.endpoint)
    );

    // Assess
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      `migration registry table traffic-shift-migrations did not exist: created it (DynamoDB at ${moto.endpoint}`
    );
    const summary = JSON.parse(result.stdout) as LocalSummary;
    expect(summary.outcome).toBe('completed');
    expect(summary.steps.taken).toEqual([50, 100]);
    expect(summary.greenPercent.final).toBe(100);
    expect(summary.evaluations.total).toBeGreaterThanOrEqual(2);
    const [api] = await router.readPairs(zone.records.slice(0, 1));
    expect(api?.green.Weight).toBe(255);
    expect(existsSync(report)).toBe(true);
  }, 60_000);

  it('a run preflight refuses says REFUSED, exits 7 and writes no report', async () => {
    // Prepare: the input names a green record the zone does not have.
    const { file, report } = await seededInput('refused.example', 0.15);
    const input = JSON.parse(readFileSync(file, 'utf8')) as MigrationInputDraft;
    (input.records[0] as { greenSetIdentifier: string }).greenSetIdentifier = 'no-such-green';
    writeFileSync(file, JSON.stringify(input));

    // Act
    const result = await runCli(
      ['run-local', '--input', file, '--time-scale', 'max', '--report', report],
      motoEnv(moto.endpoint)
    );

    // Assess
    expect(result.code, result.stderr).toBe(7);
    expect(result.stdout).toContain('REFUSED');
    expect(result.stdout).not.toContain('FAILED');
    expect(result.stdout).not.toMatch(/^ {2}report /m);
    expect(existsSync(report)).toBe(false);
  }, 60_000);

  it.each([
    { args: ['--time-scale', 'max', '--yes'], message: '--time-scale max is refused' },
    { args: ['--time-scale', '1'], message: 'needs a confirmation: pass --yes' },
  ])(
    'against a real account (no endpoint variables) $args: exit 4 before any AWS call',
    async ({ args, message }) => {
      // Prepare: a valid input; no endpoint variable, so the run would target the account.
      const file = join(dir, 'real-account.json');
      writeFileSync(
        file,
        JSON.stringify({
          migrationId: 'orders',
          records: [
            {
              hostedZoneId: 'Z0123456789ABC',
              name: 'api.example.com',
              type: 'A',
              blueSetIdentifier: 'b',
              greenSetIdentifier: 'g',
            },
          ],
          plan: { steps: [10, 100] },
          metrics: { greenDiscoveryNames: ['orders'] },
        })
      );

      // Act: credentials that cannot work, so a call that got through would fail with exit 1, not 4.
      const result = await runCli(
        ['run-local', file, ...args],
        cleanEnv({ AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x' })
      );

      // Assess
      expect(result.code, result.stderr).toBe(4);
      expect(result.stderr).toContain(message);
    }
  );

  it('green failing its error rate rolls back to the snapshot with exit 2', async () => {
    // Prepare
    const { file, zone, router, report } = await seededInput('failing.example', 5);

    // Act
    const result = await runCli(
      ['run-local', '--input', file, '--time-scale', 'max', '--report', report],
      motoEnv(moto.endpoint)
    );

    // Assess
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout).toContain('ROLLED BACK');
    const pairs = await router.readPairs(zone.records);
    expect(pairs.map((pair) => [pair.blue.Weight, pair.green.Weight])).toEqual([
      [255, 0],
      [100, 0],
    ]);
  }, 60_000);
});
