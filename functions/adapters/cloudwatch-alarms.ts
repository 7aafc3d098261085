/**
 * CloudWatch implementation of the `AlarmReader` port: the state of named metric and composite alarms.
 */
import {
  type CloudWatchClient,
  DescribeAlarmsCommand,
  type DescribeAlarmsCommandOutput,
} from '@aws-sdk/client-cloudwatch';
import { CloudWatchBusyError } from '../core/errors.ts';
import type { AlarmReport, AlarmState } from '../core/sources.ts';
import type { AlarmReader } from '../core/state.ts';
import { isBusy } from './sdk-faults.ts';

/** DescribeAlarms accepts at most 100 AlarmNames per call. */
const NAMES_PER_CALL = 100;
const MAX_PAGES = 20;

const BUSY = new Set(['Throttling', 'ThrottlingException', 'LimitExceededException']);

function translate(error: unknown): unknown {
  if (!isBusy(error, BUSY)) return error;
  return new CloudWatchBusyError(
    `DescribeAlarms: CloudWatch is busy (${(error as Error).name}) after the SDK's retries; retry later`,
    { cause: error }
  );
}

const STATES = new Set<string>(['OK', 'ALARM', 'INSUFFICIENT_DATA']);

/**
 * @example
 * await new CloudWatchAlarms(new CloudWatchClient({})).describe(['checkout-5xx']);
 * // => [{ name: 'checkout-5xx', state: 'OK', reason: 'Threshold Crossed: …' }]
 */
export class CloudWatchAlarms implements AlarmReader {
  readonly #client: CloudWatchClient;

  constructor(client: CloudWatchClient) {
    this.#client = client;
  }

  /**
   * Both alarm types: without `AlarmTypes` DescribeAlarms returns metric alarms only, so a composite
   * alarm would read as missing. Throttling and 5xx become CloudWatchBusyError; other SDK errors are unchanged.
   */
  async describe(names: readonly string[]): Promise<AlarmReport[]> {
    const found = new Map<string, AlarmReport>();
    for (let at = 0; at < names.length; at += NAMES_PER_CALL) {
      let nextToken: string | undefined;
      let page = 0;
      do {
        if (page++ >= MAX_PAGES) break;
        const out: DescribeAlarmsCommandOutput = await this.#client
          .send(
            new DescribeAlarmsCommand({
              AlarmNames: names.slice(at, at + NAMES_PER_CALL),
              AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
              ...(nextToken ? { NextToken: nextToken } : {}),
            })
          )
          .catch((error: unknown) => {
            throw translate(error);
          });
        for (const alarm of [...(out.MetricAlarms ?? []), ...(out.CompositeAlarms ?? [])]) {
          if (!alarm.AlarmName) continue;
          const state = STATES.has(alarm.StateValue ?? '')
            ? (alarm.StateValue as AlarmState)
            : null;
          found.set(alarm.AlarmName, {
            name: alarm.AlarmName,
            state,
            ...(alarm.StateReason ? { reason: alarm.StateReason } : {}),
          });
        }
        nextToken = out.NextToken;
      } while (nextToken);
    }
    return names.map((name) => found.get(name) ?? { name, state: null });
  }
}
