/**
 * Memoizes an asynchronous load (typically `import()` of a module only some requests need):
 * concurrent first calls share one promise, and a load that fails is tried again on the next call
 * instead of failing every later one.
 */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () =>
    (loading ??= load().catch((err: unknown) => {
      loading = undefined;
      throw err;
    }));
}
