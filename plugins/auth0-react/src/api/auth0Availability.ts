/**
 * Whether this page can renew its Auth0 session right now.
 *
 * `unavailable` starts when a refresh is answered with 503 (the backend's
 * `Auth0UnavailableError`), another 5xx, 429, or not at all, and lasts until a retry gets a
 * definite answer: a new session, or a refusal such as 401 (then the session ends as usual).
 *
 * @public
 */
export type Auth0Availability =
  | { status: 'available' }
  | {
      status: 'unavailable';
      /**
       * `auth0`: the backend reports that Auth0 is unreachable (`Auth0UnavailableError`).
       * `backstage`: the auth backend itself did not answer, or failed without saying why.
       */
      cause: 'auth0' | 'backstage';
      /** The backend's message, or what the browser saw. */
      message: string;
      /**
       * What this page keeps meanwhile. `kept`: the last session, whose Backstage token is
       * still valid, so the page keeps working. `expired`: the last session, whose Backstage
       * token has expired; requests fail until a refresh works, but the person stays signed in.
       * `none`: this page has no session yet (a reload or a new tab during the outage).
       */
      session: 'kept' | 'expired' | 'none';
      /** Refresh attempts that failed so far in this outage. */
      failedAttempts: number;
      /** When the next attempt is due. */
      nextAttemptAt: Date;
    };

/**
 * Read and follow {@link Auth0Availability}, e.g. with React's `useSyncExternalStore`.
 *
 * @public
 */
export type Auth0AvailabilityApi = {
  /** The current state; the same object until it changes. */
  getAvailability(): Auth0Availability;
  /** Calls `listener` after every change; returns the function that stops it. */
  subscribeToAvailability(listener: () => void): () => void;
};

export const AVAILABLE: Auth0Availability = Object.freeze({
  status: 'available',
});
