/**
 * The local engine's in-process Lambda functions: the real handlers wired to the adapters and clients the
 * options point at (moto locally, or a real account), the on-execution-end function the EventBridge rule
 * invokes, and the step hooks' native `lambda:invoke`. Separate from local-engine.ts, which runs executions
 * and does not care how a function is built.
 */
import { hostname } from 'node:os';
import { CloudWatchAlarms } from '../functions/adapters/cloudwatch-alarms.ts';
import { CloudWatchMetricSource } from '../functions/adapters/cloudwatch-metric-source.ts';
import { DEFAULT_REGISTRY_TABLE } from '../functions/adapters/dynamodb-migration-registry.ts';
import { ElbV2LoadBalancers } from '../functions/adapters/elbv2-load-balancers.ts';
import { Route53TrafficRouter } from '../functions/adapters/route53-traffic-router.ts';
import type { MigrationRegistry } from '../functions/core/registry.ts';
import type { StepHookRequest } from '../functions/core/step-hooks.ts';
import { createCheckDnsSyncHandler } from '../functions/handlers/check-dns-sync.ts';
import { createCompleteHandler } from '../functions/handlers/complete.ts';
import { createContinueAsNewHandler } from '../functions/handlers/continue-as-new.ts';
import { createEvaluateMetricsHandler } from '../functions/handlers/evaluate-metrics.ts';
import { createOnExecutionEndHandler } from '../functions/handlers/on-execution-end.ts';
import { createPreflightHandler } from '../functions/handlers/preflight.ts';
import { createRollbackHandler } from '../functions/handlers/rollback.ts';
import { createShiftTrafficHandler } from '../functions/handlers/shift-traffic.ts';
import { createWaitForApprovalHandler } from '../functions/handlers/wait-for-approval.ts';
import { dynamodbLike, elbLike, localMigrationRegistry } from './local-clients.ts';
import type { TaskState } from './local-definition.ts';
import type { LambdaHandler, LocalEngineOptions } from './local-engine-options.ts';
import type { LocalExecutionRegistry } from './local-execution-registry.ts';
import type { LocalTaskTokens } from './local-task-tokens.ts';

export interface LocalFunctions {
  /** Who owns which records (DynamoDB through moto, as deployed). */
  migrations: MigrationRegistry;
  handlers: Record<TaskState, LambdaHandler>;
  onExecutionEnd: LambdaHandler;
}

/** The functions of one engine: `executions` plays the Step Functions control plane, `tokens` the task tokens. */
export function localFunctions(
  options: LocalEngineOptions,
  executions: LocalExecutionRegistry,
  tokens: LocalTaskTokens
): LocalFunctions {
  const router = options.router ?? new Route53TrafficRouter(options.route53);
  const metrics = options.metrics ?? new CloudWatchMetricSource(options.cloudwatch);
  // The edge and alarm sources read the same moto (or account) as CloudWatch and Route 53.
  const alarms = new CloudWatchAlarms(options.cloudwatch);
  const loadBalancers = new ElbV2LoadBalancers(elbLike(options.route53));
  const clock = options.clock;
  const registry =
    options.migrationRegistry ??
    localMigrationRegistry(
      options.dynamodb ?? dynamodbLike(options.route53),
      options.registryTable ?? DEFAULT_REGISTRY_TABLE,
      clock
    );
  const notifier = options.notifier;
  const common = notifier === undefined ? { clock, registry } : { clock, registry, notifier };
  const runner = { kind: 'local' as const, pid: process.pid, host: hostname() };
  const handlers: Record<TaskState, LambdaHandler> = {
    Preflight: createPreflightHandler({
      ...common,
      router,
      metrics,
      executions,
      runner,
      alarms,
      loadBalancers,
    }) as LambdaHandler,
    ShiftTraffic: createShiftTrafficHandler({
      clock,
      router,
      executions,
      registry,
    }) as LambdaHandler,
    CheckDnsSync: createCheckDnsSyncHandler({ router, clock }) as LambdaHandler,
    // Operator control is read from the registry at every evaluation (one GetItem, ~10 ms against moto).
    EvaluateMetrics: createEvaluateMetricsHandler(
      options.operatorControl === false
        ? { clock, metrics, alarms, ...(notifier === undefined ? {} : { notifier }) }
        : { ...common, metrics, alarms }
    ) as LambdaHandler,
    Complete: createCompleteHandler({ ...common, router }) as LambdaHandler,
    ContinueAsNew: createContinueAsNewHandler({ executions, clock, registry }) as LambdaHandler,
    Rollback: createRollbackHandler({ ...common, router }) as LambdaHandler,
    WaitForApproval: createWaitForApprovalHandler({
      ...common,
      tokens,
    }) as LambdaHandler,
  };
  const onExecutionEnd = createOnExecutionEndHandler({
    ...common,
    router,
    executions,
    // The local execution registry is consistent: no re-read needs to wait.
    sleep: async () => undefined,
  }) as LambdaHandler;
  return { migrations: registry, handlers, onExecutionEnd };
}

/** The native `lambda:invoke` of a step hook, answered by the in-process function bound to its ARN. */
export async function invokeStepHook(
  options: Pick<LocalEngineOptions, 'stepHooks' | 'invokeLambda'>,
  input: unknown
): Promise<{ StatusCode: number; Payload: unknown }> {
  const { FunctionName, Payload } = input as { FunctionName: string; Payload: StepHookRequest };
  const hook = options.stepHooks?.[FunctionName];
  if (hook === undefined && options.invokeLambda !== undefined) {
    return { StatusCode: 200, Payload: await options.invokeLambda(FunctionName, Payload) };
  }
  if (hook === undefined) {
    const error = new Error(`Function not found: ${FunctionName}`);
    error.name = 'Lambda.ResourceNotFoundException';
    throw error;
  }
  return { StatusCode: 200, Payload: (await hook(Payload)) ?? null };
}
