import {
  ApiBlueprint,
  AppRootElementBlueprint,
  createFrontendModule,
  SubPageBlueprint,
} from '@backstage/frontend-plugin-api';
import { SignInPageBlueprint } from '@backstage/plugin-app-react';
import { Container } from '@backstage/ui';
import { auth0AuthApiFactory } from './api/auth0AuthApiFactory';
import { Auth0OutageNotice } from './outage/Auth0OutageNotice';

/** `api:app/auth0`: the Auth0 auth API under `auth0AuthApiRef`. */
const auth0AuthApi = ApiBlueprint.make({
  name: 'auth0',
  params: defineParams => defineParams(auth0AuthApiFactory),
});

/** `sign-in-page:app`: replaces the app's default (guest-only) sign-in page. */
const auth0SignInPage = SignInPageBlueprint.make({
  params: {
    loader: async () => (await import('./signIn/SignInPage')).SignInPage,
  },
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

/** `sub-page:app/auth0-account`: the Account tab of the settings page (/settings/account). */
const accountSettingsPage = SubPageBlueprint.make({
  name: 'auth0-account',
  attachTo: { id: 'page:user-settings', input: 'pages' },
  params: {
    path: 'account',
    title: 'Account',
    loader: async () => {
      const { SignedInAccountCard } = await import(
        './settings/SignedInAccountCard'
      );
      return (
        <Container py="6">
          <SignedInAccountCard />
        </Container>
      );
    },
  },
});

/**
 * Auth0 sign-in for an app on the new frontend system: add it to `features` of `createApp`.
 *
 * @public
 */
export const auth0AppModule = createFrontendModule({
  pluginId: 'app',
  extensions: [
    auth0AuthApi,
    auth0SignInPage,
    auth0OutageNotice,
    accountSettingsPage,
  ],
});
