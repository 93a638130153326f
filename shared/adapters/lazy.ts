/**
 * A value built on first use and shared after, for the AWS SDK clients: each SDK package costs
 * 50–110 ms to load in a fresh process, so a function loads only the ones its request reaches,
 * when it reaches them, instead of all of them at import. A failed build is forgotten, so the next
 * call tries again.
 */
export function onFirstUse<T>(build: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    value ??= build().catch((error: unknown) => {
      value = undefined;
      throw error;
    });
    return value;
  };
}
