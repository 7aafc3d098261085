/**
 * The handlers' log lines as printed, for tests of what they log: the suite silences the logger, here the
 * lines are what is under test, at the template's default level (INFO).
 */
import { vi } from 'vitest';
import { logger } from '../../functions/lib/powertools.ts';

/**
 * Captures stdout and stderr into the returned list and sets the logger to INFO; `release` restores both.
 *
 * @example
 * const logs = captureLogs(); // in beforeEach
 * logs.release(); // in afterEach
 */
export function captureLogs(): { printed: string[]; release: () => void } {
  const printed: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    printed.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  const level = logger.getLevelName();
  logger.setLogLevel('INFO');
  return {
    printed,
    release: () => {
      logger.setLogLevel(level as never);
      vi.restoreAllMocks();
    },
  };
}
