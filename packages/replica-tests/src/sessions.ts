import { Browser, createBrowser } from '@internal/auth0-dev-server/browser';
import {
  BackendAddress,
  FrameMessage,
  refreshSession,
  signInThroughPopup,
} from '@internal/test-harness';

/** The dev server's fixture users that examples/org.yaml has, and who they sign in as. */
export const CATALOG_PEOPLE: ReadonlyArray<{
  user: string;
  userEntityRef: string;
}> = [
  { user: 'chris', userEntityRef: 'user:default/chris' },
  { user: 'alex', userEntityRef: 'user:default/alex' },
  { user: 'sam', userEntityRef: 'user:default/sam' },
  { user: 'jordan', userEntityRef: 'user:default/jordan' },
];

/** Flows use the production block of the Auth0 config, as the production app does. */
const FLOW = { env: 'production' };

/** One person's browser after a sign-in attempt. */
export type SignInOutcome = {
  browser: Browser;
  user: string;
  message: FrameMessage;
  callbackMs: number;
  /** Why it is not a success, or undefined when it signed in as expected. */
  failure?: string;
};

export type RefreshOutcome = {
  status: number;
  ms: number;
  startedAt: number;
  endedAt: number;
  userEntityRef?: string;
  token?: string;
  /** The error the backend (or HAProxy) answered, or what the request threw. */
  error?: { name: string; message: string };
  /** True when HAProxy, not a replica, answered (its error bodies say `proxy: true`). */
  fromProxy?: boolean;
};

/** Signs a person in through the popup flow with a fresh browser (no dev server session). */
export async function signIn(
  backend: BackendAddress,
  caFile: string,
  person: { user: string; userEntityRef: string },
): Promise<SignInOutcome> {
  const browser = createBrowser({ caFile });
  try {
    const { message, callbackMs } = await signInThroughPopup(
      browser,
      backend,
      { user: person.user },
      FLOW,
    );
    const signedInAs =
      message.response?.backstageIdentity?.identity.userEntityRef;
    return {
      browser,
      user: person.user,
      message,
      callbackMs,
      failure:
        signedInAs === person.userEntityRef
          ? undefined
          : `expected ${person.userEntityRef}, got ${
              signedInAs ?? JSON.stringify(message.error)
            }`,
    };
  } catch (error) {
    return {
      browser,
      user: person.user,
      message: { type: 'none' },
      callbackMs: Number.NaN,
      failure: `the flow failed: ${(error as Error).message}`,
    };
  }
}

/** One refresh with the browser's session cookie; never throws. */
export async function refresh(
  browser: Browser,
  backend: BackendAddress,
): Promise<RefreshOutcome> {
  const startedAt = Date.now();
  const started = performance.now();
  try {
    const { status, body } = await refreshSession(browser, backend, FLOW);
    const ms = performance.now() - started;
    return {
      status,
      ms,
      startedAt,
      endedAt: Date.now(),
      userEntityRef: body?.backstageIdentity?.identity?.userEntityRef,
      token: body?.backstageIdentity?.token,
      error: body?.error
        ? { name: body.error.name, message: body.error.message }
        : undefined,
      fromProxy: body?.proxy === true,
    };
  } catch (error) {
    return {
      status: 0,
      ms: performance.now() - started,
      startedAt,
      endedAt: Date.now(),
      error: { name: 'RequestFailed', message: (error as Error).message },
    };
  }
}
