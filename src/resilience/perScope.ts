/**
 * Memoizes a factory by scope, so `budgetFor(subscriptionId)` / `breakerFor(org)` hand out one
 * shared instance per scope (the ARM policy calls them on every HTTP attempt).
 */
export function perScope<T>(create: (scope: string) => T): (scope: string) => T {
  const instances = new Map<string, T>();
  return (scope) => {
    let instance = instances.get(scope);
    if (instance === undefined) {
      instance = create(scope);
      instances.set(scope, instance);
    }
    return instance;
  };
}
