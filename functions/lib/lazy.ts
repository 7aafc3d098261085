/**
 * A dependency built on first use: a handler that does not always call a service (EventBridge only when a
 * step completes, Step Functions only when a lock is contested) does not pay for its client at cold start.
 */

/**
 * An object that stands for `create()`'s result and builds it on the first property access; methods are
 * bound to the built instance.
 *
 * @example
 * const notifier = lazy(() => new EventBridgeNotifier(new EventBridgeClient({}), {}));
 */
export function lazy<T extends object>(create: () => T): T {
  let instance: T | undefined;
  return new Proxy({} as T, {
    get(_target, key) {
      instance ??= create();
      const value: unknown = Reflect.get(instance, key, instance);
      return typeof value === 'function' ? value.bind(instance) : value;
    },
  });
}
