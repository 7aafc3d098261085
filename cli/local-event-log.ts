/**
 * The interpreter's event log of one local execution, followed as it is written and counted as Step Functions
 * counts it: history events (the 25,000-event limit, local-definition.ts countHistoryEvents) and state
 * transitions (what a Standard workflow is billed for). Separate from local-engine.ts, which only needs the
 * two counts at the execution's end and a `state-entered` event as each state starts.
 */
import type { StateMachine, StateMachineDefinition } from 'aws-local-stepfunctions';
import { countHistoryEvents } from './local-definition.ts';

type Execution = ReturnType<StateMachine['run']>;

export interface ExecutionLog {
  /** Settles when the interpreter's event log ends. */
  drained: Promise<void>;
  historyEvents(): number;
  stateTransitions(): number;
}

export function followEventLog(
  execution: Execution,
  definition: StateMachineDefinition,
  onStateEntered: (state: string) => void
): ExecutionLog {
  const log: { type: string; stateType?: string; callback?: boolean }[] = [];
  const drained = (async () => {
    for await (const event of execution.eventLogs) {
      const state = 'state' in event ? event.state : undefined;
      log.push({
        type: event.type,
        ...(state ? { stateType: state.type } : {}),
        ...(state && isCallbackTask(definition, state.name) ? { callback: true } : {}),
      });
      if (event.type === 'StateEntered' && state) onStateEntered(state.name);
    }
  })();
  return {
    drained,
    historyEvents: () => countHistoryEvents(log),
    stateTransitions: () =>
      log.filter((entry) => entry.type === 'StateEntered' || entry.type === 'StateRetried').length,
  };
}

function isCallbackTask(definition: StateMachineDefinition, name: string): boolean {
  const resource = (definition.States[name] as { Resource?: string } | undefined)?.Resource;
  return resource?.endsWith('.waitForTaskToken') ?? false;
}
