/**
 * Runs `task(0)` … `task(count - 1)` with at most `concurrency` at a time. The count
 * bounds the load and the deadline bounds the time: once it passes no new task starts and
 * the call rejects after the running ones finish.
 */
export async function runBounded<T>(options: {
  count: number;
  concurrency: number;
  deadlineMs: number;
  task: (index: number) => Promise<T>;
}): Promise<T[]> {
  const { count, concurrency, task } = options;
  const deadline = Date.now() + options.deadlineMs;
  const results: T[] = new Array(count);
  let nextIndex = 0;
  let timedOut = false;
  const worker = async () => {
    while (nextIndex < count) {
      if (Date.now() > deadline) {
        timedOut = true;
        return;
      }
      const index = nextIndex++;
      results[index] = await task(index);
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, worker),
  );
  if (timedOut) {
    throw new Error(
      `only ${nextIndex} of ${count} tasks started within ${options.deadlineMs} ms`,
    );
  }
  return results;
}

/** Polls `check` until it returns a value other than undefined, or fails after the timeout. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  options: { timeoutMs: number; intervalMs?: number },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${what}: not within ${options.timeoutMs} ms${
          lastError ? ` (last error: ${(lastError as Error).message})` : ''
        }`,
      );
    }
    await new Promise(resolve =>
      setTimeout(resolve, options.intervalMs ?? 100),
    );
  }
}

/** The p-th percentile (0 to 100) by nearest rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function median(values: number[]): number {
  return percentile(values, 50);
}
