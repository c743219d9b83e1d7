/** The first retry comes after 1–2 s; each further one waits twice as long. */
const FIRST_DELAY_MS = 2_000;
/** Backoff never grows past this: a recovered Auth0 is noticed within a minute. */
export const MAX_BACKOFF_MS = 60_000;
/**
 * A `Retry-After` longer than this is taken as this: a wrong header must not stop the
 * retries for hours.
 */
export const MAX_RETRY_AFTER_MS = 5 * 60_000;

/**
 * How long to wait before refresh attempt number `failedAttempts + 1`: exponential backoff
 * with "equal jitter" (half the step fixed, half random, so tabs that failed together spread
 * out), capped at {@link MAX_BACKOFF_MS}. A `Retry-After` from the backend is a lower bound.
 */
export function retryDelayMs(
  failedAttempts: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  const step = Math.min(
    MAX_BACKOFF_MS,
    FIRST_DELAY_MS * 2 ** Math.max(0, failedAttempts - 1),
  );
  const backoff = step / 2 + (random() * step) / 2;
  return Math.round(
    Math.max(backoff, Math.min(retryAfterMs ?? 0, MAX_RETRY_AFTER_MS)),
  );
}

/** `Retry-After` as seconds or as an HTTP date, in milliseconds from `now`. */
export function parseRetryAfter(
  header: string | null,
  now: number,
): number | undefined {
  const value = header?.trim();
  if (!value) {
    return undefined;
  }
  if (/^\d+$/.test(value)) {
    return Number(value) * 1000;
  }
  // An HTTP date names its weekday and month ("Wed, 21 Oct 2015 07:28:00 GMT").
  const date = /[a-z]/i.test(value) ? Date.parse(value) : NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
