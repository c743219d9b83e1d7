/**
 * The sign-in and refresh requests a process is serving. On SIGTERM the auth plugin waits
 * for them before the server and the databases close: a refresh cut after Auth0 rotated the
 * token, or before the catalog answered, would cost the person their session.
 */
export class InFlightRequests {
  readonly #pending = new Set<Promise<unknown>>();
  #closing = false;

  /** True once draining began: new work should go to another replica. */
  get closing(): boolean {
    return this.#closing;
  }

  /** Runs `work` as one request to wait for at shutdown. */
  track<T>(work: () => Promise<T>): Promise<T> {
    const request = work();
    this.#pending.add(request);
    request.then(
      () => this.#pending.delete(request),
      () => this.#pending.delete(request),
    );
    return request;
  }

  /**
   * Resolves once no request is in flight (requests that arrive meanwhile are waited for
   * too), or after `timeoutMs`, whichever is first.
   */
  async drain(timeoutMs: number): Promise<void> {
    this.#closing = true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>(resolve => {
      timer = setTimeout(resolve, timeoutMs);
    });
    const idle = (async () => {
      while (this.#pending.size > 0) {
        await Promise.allSettled([...this.#pending]);
      }
    })();
    try {
      await Promise.race([idle, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
