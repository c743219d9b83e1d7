/**
 * Why a request failed before any answer, as the innermost cause says it: fetch's own
 * `TypeError: fetch failed` hides `ECONNREFUSED`, `ENOTFOUND` or a certificate error there.
 */
export function describeFetchError(error: unknown): string {
  if ((error as { name?: unknown })?.name === 'TimeoutError') {
    return 'no answer within 10 s';
  }
  let innermost: unknown = error;
  for (let depth = 0; depth < 5; depth++) {
    const cause = (innermost as { cause?: unknown })?.cause;
    if (!cause) break;
    innermost = cause;
  }
  const { code, message } = (innermost ?? {}) as {
    code?: unknown;
    message?: unknown;
  };
  if (typeof code === 'string') {
    return code;
  }
  return typeof message === 'string' ? message : String(innermost);
}
