/**
 * Preflight refuses what Route 53 would do differently from the plan (issue 10), before any write:
 * a failing health check, other weighted records in the group, an alias whose real TTL is too long,
 * a change batch Route 53 would reject, and a record type the deployed policy does not allow.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { WeightedPair } from '../../../functions/core/types.ts';
import { preflight } from '../../../functions/handlers/preflight.ts';
import {
  FakeClock,
  FakeExecutions,
  FakeMetrics,
  FakeRegistry,
  FakeRouter,
} from '../../support/fake-ports.ts';
import {
  preflightEvent,
  TEST_EXECUTION_ARN,
  TEST_STATE_MACHINE_ARN,
} from '../../support/preflight-event.ts';
import { draft, pairWith } from '../core/fixtures.ts';

const ZONE = 'Z0123456789ABC';
const _SM = TEST_STATE_MACHINE_ARN;
const SELF = TEST_EXECUTION_ARN;

let executions: FakeExecutions;
const metrics = new FakeMetrics();
const clock = new FakeClock();

beforeEach(() => {
  executions = new FakeExecutions();
  executions.add({ executionArn: SELF, input: draft(), startDate: '2026-01-01T00:00:00.000Z' });
});

const event = preflightEvent;

function blueWithHealthCheck(): WeightedPair {
  const pair = pairWith({ blue: 100, green: 0 }, { hostedZoneId: ZONE });
  return { ...pair, blue: { ...pair.blue, HealthCheckId: 'hc-blue' } };
}

describe('Handler: preflight (Route 53 record rules)', () => {
  it('refuses while a health check of the pair is failing, before any write', async () => {
    // Prepare: blue's check fails, so Route 53 would answer with green (weight 0) on a rollback
    const router = new FakeRouter([blueWithHealthCheck()]);
    router.failingHealthChecks = ['hc-blue'];

    // Act + Assess
    await expect(
      preflight(event(), { router, metrics, executions, clock, registry: new FakeRegistry() })
    ).rejects.toMatchObject({
      name: 'PreflightFailedError',
      message: expect.stringMatching(
        /health check hc-blue is failing: 0 of 1 checkers report Success/
      ),
    });
    expect(router.calls).toEqual(['readPairs', 'readHealthChecks']);
  });

  it('refuses while a check that blue inherits through EvaluateTargetHealth is failing', async () => {
    // Prepare: blue is an alias evaluating its same-zone target, whose check hc-origin fails (API AliasTarget)
    const pair = pairWith({ blue: 100, green: 0 }, { hostedZoneId: ZONE });
    const router = new FakeRouter([{ ...pair, aliasTargetHealthCheckIds: ['hc-origin'] }]);
    router.failingHealthChecks = ['hc-origin'];

    // Act + Assess
    await expect(
      preflight(event(), { router, metrics, executions, clock, registry: new FakeRegistry() })
    ).rejects.toMatchObject({
      name: 'PreflightFailedError',
      message: expect.stringMatching(/health check hc-origin is failing/),
    });
  });

  it('passes with a healthy health check and reads it', async () => {
    // Prepare
    const router = new FakeRouter([blueWithHealthCheck()]);

    // Act
    const state = await preflight(event(), {
      router,
      metrics,
      executions,
      clock,
      registry: new FakeRegistry(),
    });

    // Assess
    expect(state.next).toBe('shift');
    expect(router.calls).toContain('readHealthChecks');
  });

  it('refuses other weighted records in the group, naming them', async () => {
    // Prepare
    const pair = pairWith({ blue: 100, green: 0 }, { hostedZoneId: ZONE });
    const router = new FakeRouter([{ ...pair, others: [{ SetIdentifier: 'legacy', Weight: 10 }] }]);

    // Act + Assess
    await expect(
      preflight(event(), { router, metrics, executions, clock, registry: new FakeRegistry() })
    ).rejects.toMatchObject({
      name: 'PreflightFailedError',
      message: expect.stringMatching(/"legacy" \(10\)/),
    });
  });

  it('names a wildcard pair readably when the pairs are at different shares', async () => {
    // Prepare: readPairs keeps names canonical (\052 for *); messages show the readable form (design.md §6)
    const router = new FakeRouter([
      pairWith({ blue: 90, green: 10 }, { hostedZoneId: ZONE, name: '\\052.example.com' }),
      pairWith({ blue: 100, green: 0 }, { hostedZoneId: ZONE }),
    ]);
    const input = draft();
    const [api] = input.records;
    input.records = [{ ...api!, name: '*.example.com' }, api!];

    // Act + Assess
    await expect(
      preflight(event(input), { router, metrics, executions, clock, registry: new FakeRegistry() })
    ).rejects.toMatchObject({
      name: 'PreflightFailedError',
      message: expect.stringContaining(
        'records are at different green shares (*.example.com 10%, api.example.com 0%)'
      ),
    });
  });

  it('refuses an alias pair whose resolved TTL exceeds dns.maxTtlSeconds and keeps it for the waits', async () => {
    // Prepare
    const pair = pairWith({ blue: 100, green: 0 }, { hostedZoneId: ZONE });
    const router = new FakeRouter([{ ...pair, effectiveTtlSeconds: { blue: 3600, green: 3600 } }]);

    // Act + Assess
    await expect(
      preflight(event(), { router, metrics, executions, clock, registry: new FakeRegistry() })
    ).rejects.toMatchObject({
      name: 'PreflightFailedError',
      message: expect.stringMatching(/TTL 3600s > dns\.maxTtlSeconds \(300s\)/),
    });
  });

  it('refuses a record type the deployed policy does not allow, before reading the records', async () => {
    // Prepare
    const router = new FakeRouter([pairWith({ blue: 100, green: 0 }, { hostedZoneId: ZONE })]);
    const policy = { recordTypes: ['AAAA'] };

    // Act + Assess
    await expect(
      preflight(event(), {
        router,
        metrics,
        executions,
        clock,
        registry: new FakeRegistry(),
        policy,
      })
    ).rejects.toMatchObject({
      name: 'PreflightFailedError',
      message: expect.stringMatching(
        /records\[0\]\.type A is not in the stack parameter RecordTypes \(AAAA\)/
      ),
    });
    expect(router.calls).toEqual([]);
  });

  it('refuses a change batch above 1,000 ResourceRecord elements, naming zone and numbers', async () => {
    // Prepare: 26 pairs x 10 values in one zone
    const records = Array.from({ length: 26 }, (_, i) => ({
      hostedZoneId: ZONE,
      name: `api${i}.example.com`,
      type: 'A',
      blueSetIdentifier: 'blue',
      greenSetIdentifier: 'green',
    }));
    const values = Array.from({ length: 10 }, (_, v) => ({ Value: `192.0.2.${v}` }));
    const router = new FakeRouter(
      records.map((record) => {
        const pair = pairWith({ blue: 100, green: 0 }, { hostedZoneId: ZONE, name: record.name });
        return {
          ...pair,
          blue: { ...pair.blue, ResourceRecords: values },
          green: { ...pair.green, ResourceRecords: values },
        };
      })
    );

    // Act + Assess
    await expect(
      preflight(event({ ...draft(), records }), {
        router,
        metrics,
        executions,
        clock,
        registry: new FakeRegistry(),
      })
    ).rejects.toMatchObject({
      name: 'PreflightFailedError',
      message: expect.stringMatching(
        new RegExp(
          `hosted zone ${ZONE}: a shift or rollback batch of 26 pairs holds 1040 ResourceRecord elements \\(limit 1000\\)`
        )
      ),
    });
    expect(router.writes).toEqual([]);
  });
});
