import type { LifecycleEvent, Notifier } from '../core/state.ts';
import { logger } from './powertools.ts';

/**
 * Publishes a lifecycle event. A failed notification is deliberately swallowed (and logged):
 * it must never block a shift or a rollback.
 */
export async function notifySafely(
  notifier: Notifier | undefined,
  event: LifecycleEvent
): Promise<void> {
  if (notifier === undefined) return;
  try {
    await notifier.publish(event);
  } catch (error) {
    logger.warn('lifecycle notification failed; continuing', { type: event.type, error });
  }
}
