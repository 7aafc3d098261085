/**
 * Preflight's "green has published HTTP metrics" check asks with the same scoping as the evaluations
 * (issue 10, item 12): a scoped discovery name is looked up as that caller's series, and a missing one is
 * named with its cluster and service.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { newRunState } from '../../../functions/core/run.ts';
import type { DiscoveryTarget } from '../../../functions/core/types.ts';
import { type PreflightEvent, preflight } from '../../../functions/handlers/preflight.ts';
import {
  FakeClock,
  FakeExecutions,
  FakeMetrics,
  FakeRegistry,
  FakeRouter,
} from '../../support/fake-ports.ts';
import { draft, inputWith, pairWith } from '../core/fixtures.ts';

const SM = 'arn:aws:states:us-east-1:123456789012:stateMachine:ts';
const SELF = 'arn:aws:states:us-east-1:123456789012:execution:ts:self';
const scoped = { discoveryName: 'orders', clusterName: 'prod', serviceName: 'gateway' };

/** Publishes HTTP metrics for the bare names only, and records what it was asked. */
class BareOnlyMetrics extends FakeMetrics {
  asked: DiscoveryTarget[] = [];
  override async listDiscoveryNamesWithHttpMetrics(
    _namespace: string,
    targets: readonly DiscoveryTarget[]
  ): Promise<DiscoveryTarget[]> {
    this.asked.push(...targets);
    return targets.filter((t) => t.clusterName === undefined);
  }
}

let metrics: BareOnlyMetrics;
let executions: FakeExecutions;
const input = { ...draft(), metrics: { greenDiscoveryNames: [scoped, 'payments'] } };
const event: PreflightEvent = {
  input,
  executionArn: SELF,
  executionName: 'self',
  stateMachineArn: SM,
  startTime: '2026-01-01T00:00:00.000Z',
};

beforeEach(() => {
  metrics = new BareOnlyMetrics();
  executions = new FakeExecutions();
  executions.add({ executionArn: SELF, input, startDate: '2026-01-01T00:00:00.000Z' });
});

describe('Handler: preflight, scoped discovery names', () => {
  it('asks for the scoped series and names the scoped target that has none', async () => {
    // Act
    const attempt = preflight(event, {
      router: new FakeRouter([
        pairWith({ blue: 100, green: 0 }, { hostedZoneId: 'Z0123456789ABC' }),
      ]),
      metrics,
      executions,
      clock: new FakeClock(),
      registry: new FakeRegistry(),
    });

    // Assess
    await expect(attempt).rejects.toThrow(
      /no HTTP metrics in AWS\/ECS for discovery names orders from prod\/gateway; set appProtocol/
    );
    expect(metrics.asked).toEqual([scoped, { discoveryName: 'payments' }]);
  });
});

describe('Handler: preflight, the bake counter of a continuation', () => {
  it('refuses a resume whose status.bakedSeconds is not a count', async () => {
    // Prepare
    const { next: _next, ...state } = newRunState(
      inputWith(),
      {
        executionArn: SELF,
        executionName: 'self',
        stateMachineArn: SM,
        startedAt: '2026-01-01T00:00:00.000Z',
        generation: 2,
        continuedFrom: 'arn:aws:states:us-east-1:123456789012:execution:ts:previous',
      },
      [pairWith({ blue: 100, green: 0 }, { hostedZoneId: 'Z0123456789ABC' })]
    );
    const resume = { ...state, status: { ...state.status, bakedSeconds: '600' } };

    // Act + Assess
    await expect(
      preflight(
        { ...event, input: { resume } },
        {
          router: new FakeRouter([]),
          metrics,
          executions,
          clock: new FakeClock(),
          registry: new FakeRegistry(),
        }
      )
    ).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringContaining('resume.status.bakedSeconds'),
    });
  });
});
