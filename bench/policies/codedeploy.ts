/**
 * A CodeDeploy-style reference, modelled from the public documentation:
 * - deployment configuration `CodeDeployDefault.ECSLinear10PercentEvery1Minutes`: 10 % more traffic every
 *   minute, 10 increments, no analysis gate between them
 *   (https://docs.aws.amazon.com/codedeploy/latest/userguide/deployment-configurations.html);
 * - rollback when a CloudWatch alarm of the deployment group goes to ALARM
 *   (https://docs.aws.amazon.com/codedeploy/latest/userguide/monitoring-create-alarms.html); here two alarms
 *   on green: the 5xx rate (metric math 100 x 5xx / requests) > 1 % and the average TargetResponseTime >
 *   the latency limit, each with Period 60 s, 1 of 1 datapoints, TreatMissingData `missing` (the default:
 *   missing data keeps the alarm out of ALARM, so no data never rolls back);
 * - CloudWatch evaluates each alarm once a minute on the newest published datapoint (with delayed data the
 *   alarm looks back to the newest datapoint it has);
 * - alarms are watched until the end of a termination wait after the last shift (assumption: the original
 *   task set is kept `terminationWaitMinutes`, 10 min to match our final bake, and alarms still roll back
 *   during it).
 * Traffic moves through the same Route 53 world as ours (INSYNC + TTL), so only the decision policy differs.
 */
import type { World } from '../traffic.ts';
import { type Policy, type PolicyRun, rollBack } from './policy.ts';

export interface CodeDeployOptions {
  stepPercent: number;
  stepIntervalSeconds: number;
  errorRateAlarmPercent: number;
  latencyAlarmMs: number;
  terminationWaitMinutes: number;
}

export const CODEDEPLOY_DEFAULTS: CodeDeployOptions = {
  stepPercent: 10,
  stepIntervalSeconds: 60,
  errorRateAlarmPercent: 1,
  latencyAlarmMs: 130,
  terminationWaitMinutes: 10,
};

/** An alarm with 1 of 1 datapoints looks back this far for its newest datapoint when data is late. */
const ALARM_LOOKBACK_MS = 5 * 60_000;

export function codeDeployPolicy(options: CodeDeployOptions = CODEDEPLOY_DEFAULTS): Policy {
  const steps: number[] = [];
  for (let p = options.stepPercent; p < 100; p += options.stepPercent) steps.push(p);
  steps.push(100);
  return {
    name: 'CodeDeploy-style',
    parameters: [
      `linear ${options.stepPercent} % every ${options.stepIntervalSeconds} s (${steps.length} increments, ECSLinear10PercentEvery1Minutes), no gate between increments`,
      `alarms on green: 5xx rate > ${options.errorRateAlarmPercent} % and TargetResponseTime Average > ${options.latencyAlarmMs} ms; period 60 s, 1 of 1 datapoints, TreatMissingData missing; evaluated every minute on the newest published datapoint`,
      `watched until ${options.terminationWaitMinutes} min after the last increment (assumed termination wait); rollback = restore the weights`,
    ],
    run(world: World, startMs: number): PolicyRun {
      const intervalMs = options.stepIntervalSeconds * 1_000;
      const lastShiftMs = startMs + (steps.length - 1) * intervalMs;
      const endMs = lastShiftMs + options.terminationWaitMinutes * 60_000;
      // Alarm evaluations happen on CloudWatch's own minute grid, not aligned with the deployment.
      const firstEvaluationMs = Math.floor(startMs / 60_000) * 60_000 + 60_000 + 10_000;
      let nextStep = 0;
      let judgements = 0;
      for (let t = firstEvaluationMs; t <= endMs; t += 60_000) {
        while (nextStep < steps.length && startMs + nextStep * intervalMs <= t) {
          world.write(startMs + nextStep * intervalMs, steps[nextStep] as number);
          nextStep += 1;
        }
        judgements += 1;
        const datapoint = world.newestDatapoint('green', t, ALARM_LOOKBACK_MS);
        if (datapoint === null) continue; // missing: the alarm stays out of ALARM
        const rate = (100 * datapoint.http5xx) / datapoint.requests;
        if (rate > options.errorRateAlarmPercent) {
          return rollBack(
            world,
            t,
            'alarm-5xx',
            `5xx rate ${rate.toFixed(2)} % > ${options.errorRateAlarmPercent} %`,
            judgements
          );
        }
        if ((datapoint.latencyAvgMs ?? 0) > options.latencyAlarmMs) {
          return rollBack(
            world,
            t,
            'alarm-latency',
            `latency ${datapoint.latencyAvgMs?.toFixed(0)} ms > ${options.latencyAlarmMs} ms`,
            judgements
          );
        }
      }
      while (nextStep < steps.length) {
        world.write(startMs + nextStep * intervalMs, steps[nextStep] as number);
        nextStep += 1;
      }
      return {
        outcome: 'completed',
        decidedAtMs: endMs,
        rollbackCompleteMs: null,
        trigger: null,
        reason: 'all increments shifted, no alarm',
        judgements,
      };
    },
  };
}
