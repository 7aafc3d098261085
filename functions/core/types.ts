/**
 * Domain types shared by the core, the adapters and the handlers, re-exported from the files that hold them
 * by domain so that the many importers keep one import path.
 */
export * from './evaluation-types.ts';
export * from './record-types.ts';
export * from './sample-types.ts';
export * from './shift-status.ts';
