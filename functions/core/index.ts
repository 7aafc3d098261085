/** The pure decision core: import from here in handlers and adapters. */
export * from './decide.ts';
export * from './discovery-target.ts';
export * from './errors.ts';
export * from './history.ts';
export * from './input.ts';
export * from './names.ts';
export * from './ownership.ts';
export * from './plan.ts';
export * from './recovery.ts';
export * from './registry.ts';
export * from './run.ts';
export * from './state.ts';
export * from './stats.ts';
export * from './types.ts';
export * from './verdict.ts';
export * from './weights.ts';
export * from './window.ts';
