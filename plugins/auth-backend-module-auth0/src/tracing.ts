import {
  Attributes,
  context,
  createContextKey,
  Span,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { errorReason } from './metrics';

/**
 * Tracing spans of a refresh, through the OpenTelemetry API: they reach whatever
 * TracerProvider the backend registered globally (packages/backend/src/instrumentation.js
 * registers one only when OTEL_TRACES_EXPORTER is set), and without one they are no-ops.
 * Attributes never carry a token, a code, an email or a subject: only step names and error
 * class names.
 *
 * The tree of one refresh, as this module records it:
 *
 * - `auth0.refresh`: the whole `/api/auth/auth0/refresh` request inside the module, from the
 *   module's route handler to the response written by `@backstage/plugin-auth-node`, which
 *   reads and writes the session cookie itself (a plain cookie, nothing to decrypt): that
 *   time, and the response, are `auth0.refresh`'s own time, outside its children. So there
 *   is no `auth0.refresh.cookie` span.
 *   - `auth0.refresh.coordination`: one per database round trip of the refresh coordinator,
 *     `auth0.db.step` naming it: `claim` (take the lease or read the row in one statement),
 *     `wait` (one poll of a row another request holds), `store` (the result, or `store_failure`),
 *     `cleanup` (expired rows, now and then). A `store` after a successful exchange runs
 *     after the response may already be on its way, so it can end after `auth0.refresh`.
 *   - `auth0.refresh.token_request`: the refresh grant at Auth0's token endpoint.
 *   - `auth0.refresh.id_token_verify`: verifying the ID token (signature, claims, organization).
 *   - `auth0.refresh.identity_cache`: reading (`auth0.cache.step` `read`, with
 *     `auth0.cache.hit`: an entry for the subject exists) or writing (`write`) the cached
 *     identity. The read starts as soon as Auth0 answered and runs beside
 *     `auth0.refresh.id_token_verify`; its entry counts only if the verified claims match it.
 *   - `auth0.refresh.resolve`: the sign-in resolvers, their catalog queries included; only
 *     when the identity cache had no entry. Its children, since the resolver calls them
 *     through the resolver context:
 *     - `auth0.refresh.ownership`: the ownership refs, with the Groups of `signIn.groupClaims`.
 *     - `auth0.refresh.issue_token`: the resolver context's `issueToken`, that is the auth
 *       backend signing the Backstage token and recording the user's claims (its `user_info`
 *       table); the module wraps the call it passes through, which is as close as it gets.
 *   - on a cache hit, instead: `auth0.refresh.ownership` (with `signIn.groupClaims` only: the
 *     Groups of the fresh ID token's claims) and `auth0.refresh.issue_token`, directly under
 *     `auth0.refresh`.
 *
 * A request that shares another's exchange (refreshCoordinator.ts) has no `token_request`:
 * in this process it has no coordination span either; on another replica it has `claim` and
 * `wait`. The same code runs at sign-in, where it records no span: only a refresh is traced.
 */
export const TRACER_NAME = '@backstage-auth0/plugin-auth-backend-module-auth0';

export const REFRESH_SPAN = 'auth0.refresh';

export type RefreshPhase =
  | 'coordination'
  | 'token_request'
  | 'id_token_verify'
  | 'identity_cache'
  | 'resolve'
  | 'ownership'
  | 'issue_token';

const IN_REFRESH = createContextKey('auth0.refresh');

function tracer() {
  return trace.getTracer(TRACER_NAME);
}

async function inSpan<T>(
  name: string,
  attributes: Attributes | undefined,
  fn: (span: Span) => Promise<T>,
  mark?: boolean,
): Promise<T> {
  return tracer().startActiveSpan(name, { attributes }, async span => {
    const run = () => fn(span);
    try {
      return await (mark
        ? context.with(context.active().setValue(IN_REFRESH, true), run)
        : run());
    } catch (error) {
      // The class name only: messages can name an email.
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.setAttribute('error.type', errorReason(error));
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Runs one refresh request inside the `auth0.refresh` span. */
export function traceRefresh<T>(fn: () => Promise<T>): Promise<T> {
  return inSpan(REFRESH_SPAN, undefined, fn, true);
}

/** Whether the code running now is part of a refresh (and not a sign-in). */
function inRefresh(): boolean {
  return context.active().getValue(IN_REFRESH) === true;
}

/**
 * Runs `fn` in the span `auth0.refresh.<phase>` when it is part of a refresh; otherwise, as
 * at sign-in, just runs it.
 */
export function traceRefreshPhase<T>(
  phase: RefreshPhase,
  fn: (span?: Span) => Promise<T>,
  attributes?: Attributes,
): Promise<T> {
  if (!inRefresh()) {
    return fn();
  }
  return inSpan(`${REFRESH_SPAN}.${phase}`, attributes, fn);
}
