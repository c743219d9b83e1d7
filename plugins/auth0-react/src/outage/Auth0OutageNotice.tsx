import { useApi } from '@backstage/frontend-plugin-api';
import { auth0AuthApiRef } from '../api/auth0AuthApiRef';
import { OutageAlert } from './OutageAlert';
import { describeOutageInApp } from './outageTexts';
import { useAuth0Availability } from './useAuth0Availability';

/**
 * A small notice in a corner of the app while the Auth0 session cannot be renewed (the
 * backend answers 503 because Auth0 is unreachable): the person stays signed in and Backstage
 * retries. It shows nothing otherwise, and nothing on the sign-in page, which says so itself.
 *
 * The new frontend system renders it through `@backstage-auth0/plugin-app-module-auth0`; in
 * the legacy system render it once at the app root, next to `<AlertDisplay />`.
 *
 * @public
 */
export function Auth0OutageNotice() {
  const availability = useAuth0Availability(useApi(auth0AuthApiRef));
  if (
    availability.status !== 'unavailable' ||
    availability.session === 'none'
  ) {
    return null;
  }
  return (
    <div
      role="status"
      aria-label="Auth0 sign-in status"
      style={{
        position: 'fixed',
        insetInlineEnd: '1rem',
        insetBlockEnd: '1rem',
        zIndex: 1400,
        maxWidth: 'min(28rem, calc(100vw - 2rem))',
      }}
    >
      <OutageAlert text={describeOutageInApp(availability)} />
    </div>
  );
}
