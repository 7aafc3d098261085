/**
 * EventBridge implementation of the `Notifier` port: one `PutEvents` entry per lifecycle event,
 * source `traffic-shift`, detail-type = the event type. The template routes them (e.g. to SNS).
 */
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { TrafficShiftError } from '../core/errors.ts';
import type { LifecycleEvent, Notifier } from '../core/state.ts';

/** The `source` of every event this project publishes (EventBridge rules match on it). */
export const EVENT_SOURCE = 'traffic-shift';

/**
 * PutEvents accepted the request but rejected the entry (`FailedEntryCount > 0`). Callers swallow it:
 * a failed notification never blocks a shift or a rollback.
 */
export class NotificationFailedError extends TrafficShiftError {
  override name = 'NotificationFailedError' as const;
}

export interface EventBridgeNotifierOptions {
  /** Bus name or ARN; the default bus when unset. */
  eventBusName?: string;
}

/**
 * Publishes lifecycle events to EventBridge.
 *
 * @example
 * const notifier = new EventBridgeNotifier(new EventBridgeClient({}), {});
 * await notifier.publish({ type: 'MigrationStarted', migrationId: 'orders', executionArn, greenPercent: 0,
 *   reason: 'preflight passed', at: '2026-09-14T10:00:00.000Z' });
 */
export class EventBridgeNotifier implements Notifier {
  readonly #client: EventBridgeClient;
  readonly #eventBusName: string | undefined;

  constructor(client: EventBridgeClient, options: EventBridgeNotifierOptions = {}) {
    this.#client = client;
    this.#eventBusName = options.eventBusName;
  }

  /**
   * @throws NotificationFailedError when EventBridge rejects the entry; SDK errors are re-thrown.
   */
  async publish(event: LifecycleEvent): Promise<void> {
    const time = new Date(event.at);
    const out = await this.#client.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: EVENT_SOURCE,
            DetailType: event.type,
            Detail: JSON.stringify(event),
            ...(Number.isNaN(time.getTime()) ? {} : { Time: time }),
            ...(event.executionArn.startsWith('arn:') ? { Resources: [event.executionArn] } : {}),
            ...(this.#eventBusName ? { EventBusName: this.#eventBusName } : {}),
          },
        ],
      })
    );
    if ((out.FailedEntryCount ?? 0) > 0) {
      const failed = out.Entries?.find((entry) => entry.ErrorCode || entry.ErrorMessage);
      throw new NotificationFailedError(
        `PutEvents rejected ${event.type} for ${event.migrationId}: ` +
          `${failed?.ErrorCode ?? 'unknown error'}${failed?.ErrorMessage ? `: ${failed.ErrorMessage}` : ''}`
      );
    }
  }
}
