import {
  ApiBlueprint,
  AppRootElementBlueprint,
  createFrontendModule,
} from '@backstage/frontend-plugin-api';
import { SignInPageBlueprint } from '@backstage/plugin-app-react';
import {
  auth0AuthApiFactory,
  Auth0OutageNotice,
  Auth0SignInPage,
} from '@backstage-auth0/plugin-auth0-react';

/** `api:app/auth0`: the Auth0 auth API under `auth0AuthApiRef`. */
const auth0AuthApi = ApiBlueprint.make({
  name: 'auth0',
  params: defineParams => defineParams(auth0AuthApiFactory),
});

/**
 * `sign-in-page:app`: replaces the app's default (guest-only) sign-in page. Not split into a
 * chunk of its own: it is the first thing every visit shows.
 */
const auth0SignInPage = SignInPageBlueprint.make({
  params: { loader: async () => Auth0SignInPage },
});

/**
 * `app-root-element:app/auth0-outage-notice`: while Auth0 is unreachable, a notice that the
 * person stays signed in and Backstage retries. App-root elements render beside the routes,
 * on every page, and outside the sign-in gate (the notice hides itself there).
 */
const auth0OutageNotice = AppRootElementBlueprint.make({
  name: 'auth0-outage-notice',
  params: { element: <Auth0OutageNotice /> },
});

/**
 * Auth0 sign-in for an app on the new frontend system: the auth API, the sign-in page and
 * the outage notice. The app discovers it (`app.packages: all`) once `packages/app` depends
 * on this package.
 *
 * @public
 */
export const auth0AppModule = createFrontendModule({
  pluginId: 'app',
  extensions: [auth0AuthApi, auth0SignInPage, auth0OutageNotice],
});
