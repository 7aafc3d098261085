/**
 * The effective input of a local run in a few lines: the plan, the judgement and the limits the run used,
 * defaults filled. The summary and the report print it, so a rehearsal never runs a policy it does not show.
 */
import { targetLabel } from '../functions/core/discovery-target.ts';
import type { MigrationInput } from '../functions/core/input.ts';
import { expandSteps } from '../functions/core/plan.ts';

export function policyLines(input: MigrationInput): string[] {
  const { plan, metrics, thresholds: t, limits: l } = input;
  return [
    `plan ${expandSteps(plan)
      .map((step) => `${step}%`)
      .join(
        ', '
      )}; bake ${plan.bakeSeconds} s, final bake ${plan.finalBakeSeconds} s, an evaluation every ${plan.evaluationIntervalSeconds} s`,
    `windows up to ${metrics.windowSeconds} s, ${metrics.publicationDelaySeconds} s publication delay, green ${metrics.greenDiscoveryNames.map(targetLabel).join(', ')}${metrics.blueDiscoveryNames?.length ? `, blue ${metrics.blueDiscoveryNames.map(targetLabel).join(', ')}` : ''}`,
    `error rate <= ${t.errorRateMaxPercent} % at ${t.confidence} confidence, >= ${t.minRequests} requests${t.latencyAvgMaxMs === undefined ? '' : `, latency avg <= ${t.latencyAvgMaxMs} ms`}${t.latencyMaxMs === undefined ? '' : `, latency max <= ${t.latencyMaxMs} ms`}`,
    `maxFailures ${l.maxFailures}, maxConsecutiveFailures ${l.maxConsecutiveFailures}, maxInconclusive ${l.maxInconclusive} (then ${l.onInconclusiveLimit}), maxConsecutiveErrors ${l.maxConsecutiveErrors}; mode ${input.mode}`,
  ];
}
