/**
 * Judges existing CloudWatch alarms (`alarms`): OK -> Pass, INSUFFICIENT_DATA -> Inconclusive, ALARM -> Fail
 * and an immediate rollback (as CodeDeploy and ECS do on alarms), a missing alarm -> Error. Preflight
 * refuses a missing alarm or one in ALARM (`alarmProblems`).
 */
import type { AlarmReport } from './sources.ts';
import { type Assessment, Verdict } from './types.ts';

export const alarmSource = (name: string): string => `alarm:${name}`;

function assessment(name: string, verdict: Verdict, reason: string): Assessment {
  return {
    check: 'alarm',
    scope: name,
    verdict,
    value: null,
    limit: null,
    sampleSize: 0,
    counted: true,
    reason,
    source: alarmSource(name),
    side: 'green',
  };
}

const because = (report: AlarmReport) => (report.reason ? ` (${report.reason})` : '');

/**
 * One assessment per configured alarm, in input order, and the immediate-rollback reason when any is in
 * ALARM. `reports` null: DescribeAlarms failed (`failure`), every alarm is an Error.
 *
 * @example
 * assessAlarms(['checkout-5xx'], [{ name: 'checkout-5xx', state: 'ALARM' }], null);
 * // => { assessments: [{ verdict: 'Fail', … }], immediateRollback: 'alarm checkout-5xx is in ALARM …' }
 */
export function assessAlarms(
  names: readonly string[],
  reports: readonly AlarmReport[] | null,
  failure: string | null
): { assessments: Assessment[]; immediateRollback: string | null } {
  const assessments = names.map((name) => {
    if (reports === null) {
      return assessment(name, Verdict.Error, `alarm ${name} unreadable: ${failure ?? 'unknown'}`);
    }
    const report = reports.find((one) => one.name === name);
    switch (report?.state ?? null) {
      case 'OK':
        return assessment(name, Verdict.Pass, `alarm ${name} is OK`);
      case 'INSUFFICIENT_DATA':
        return assessment(
          name,
          Verdict.Inconclusive,
          `alarm ${name} is INSUFFICIENT_DATA${because(report as AlarmReport)}: no evidence`
        );
      case 'ALARM':
        return assessment(
          name,
          Verdict.Fail,
          `alarm ${name} is in ALARM${because(report as AlarmReport)}`
        );
      default:
        return assessment(name, Verdict.Error, `alarm ${name} does not exist (deleted mid-run?)`);
    }
  });
  const alarming = assessments.filter((one) => one.verdict === Verdict.Fail);
  return {
    assessments,
    immediateRollback:
      alarming.length === 0
        ? null
        : `${alarming.map((one) => one.reason).join('; ')}: immediate rollback (alarms do not wait for maxConsecutiveFailures)`,
  };
}

/**
 * What Preflight refuses: alarms that do not exist or are in ALARM, named.
 *
 * @example
 * alarmProblems(['a', 'b'], [{ name: 'a', state: 'ALARM' }]); // => ['alarm a is in ALARM', 'alarm b does not exist (metric or composite)']
 */
export function alarmProblems(names: readonly string[], reports: readonly AlarmReport[]): string[] {
  return names.flatMap((name) => {
    const report = reports.find((one) => one.name === name);
    if (report === undefined || report.state === null)
      return [`alarm ${name} does not exist (metric or composite)`];
    if (report.state === 'ALARM') return [`alarm ${name} is in ALARM${because(report)}`];
    return [];
  });
}
