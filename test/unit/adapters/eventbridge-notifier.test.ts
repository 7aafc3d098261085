import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  EventBridgeNotifier,
  NotificationFailedError,
} from '../../../functions/adapters/eventbridge-notifier.ts';
import type { LifecycleEvent } from '../../../functions/core/state.ts';

const eventbridge = mockClient(EventBridgeClient);

const event: LifecycleEvent = {
  type: 'MigrationRolledBack',
  migrationId: 'orders',
  executionArn: 'arn:aws:states:us-east-1:123456789012:execution:traffic-shift:orders-1',
  greenPercent: 25,
  reason: 'error rate 2.40% > 1% over 1,812 requests',
  at: '2026-09-14T10:00:00.000Z',
};

beforeEach(() => {
  eventbridge.reset();
});

describe('Method: publish', () => {
  it('puts one event: source traffic-shift, detail-type = event type, detail = the event as JSON', async () => {
    // Prepare
    eventbridge
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e1' }] });
    const notifier = new EventBridgeNotifier(new EventBridgeClient({ region: 'us-east-1' }), {});

    // Act
    await notifier.publish(event);

    // Assess
    expect(eventbridge).toReceiveCommandExactlyOnceWith(PutEventsCommand, {
      Entries: [
        {
          Source: 'traffic-shift',
          DetailType: 'MigrationRolledBack',
          Detail: JSON.stringify(event),
          Time: new Date('2026-09-14T10:00:00.000Z'),
          Resources: [event.executionArn],
        },
      ],
    });
    expect(
      eventbridge.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0]
    ).not.toHaveProperty('EventBusName');
  });

  it('puts to the configured bus', async () => {
    // Prepare
    eventbridge
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e1' }] });
    const notifier = new EventBridgeNotifier(new EventBridgeClient({ region: 'us-east-1' }), {
      eventBusName: 'ops',
    });

    // Act
    await notifier.publish(event);

    // Assess
    expect(eventbridge).toReceiveCommandWith(PutEventsCommand, {
      Entries: [expect.objectContaining({ EventBusName: 'ops' })],
    });
  });

  it('throws NotificationFailedError when EventBridge rejects the entry', async () => {
    // Prepare
    eventbridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
    });
    const notifier = new EventBridgeNotifier(new EventBridgeClient({ region: 'us-east-1' }), {});

    // Act
    const publishing = notifier.publish(event);

    // Assess
    await expect(publishing).rejects.toThrow(NotificationFailedError);
    await expect(publishing).rejects.toThrow(
      'PutEvents rejected MigrationRolledBack for orders: InternalFailure: try again'
    );
  });

  it('leaves out Time and Resources it cannot fill', async () => {
    // Prepare
    eventbridge
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e1' }] });
    const notifier = new EventBridgeNotifier(new EventBridgeClient({ region: 'us-east-1' }), {});

    // Act
    await notifier.publish({ ...event, executionArn: '', at: 'not a date' });

    // Assess
    const entry = eventbridge.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0];
    expect(entry).not.toHaveProperty('Time');
    expect(entry).not.toHaveProperty('Resources');
  });
});
