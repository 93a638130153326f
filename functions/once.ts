/**
 * The composition roots' one lazy-initialisation helper: `build` runs on first use and its value is
 * kept for the container's life, so a handler pays only for the adapters it touches.
 */
export function once<T>(build: () => T): () => T {
  let value: T | undefined;
  let built = false;
  return () => {
    if (!built) {
      value = build();
      built = true;
    }
    return value as T;
  };
}
