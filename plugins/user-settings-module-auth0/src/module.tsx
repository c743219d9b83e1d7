import {
  createFrontendModule,
  SubPageBlueprint,
} from '@backstage/frontend-plugin-api';
import { Container } from '@backstage/ui';
import { SignedInAccountCard } from '@backstage-auth0/plugin-auth0-react';

/**
 * `sub-page:user-settings/account`: the Account tab of the settings page
 * (`/settings/account`). Sub-pages of a module attach to the page of the plugin it extends.
 */
const accountSettingsPage = SubPageBlueprint.make({
  name: 'account',
  params: {
    path: 'account',
    title: 'Account',
    loader: async () => (
      <Container py="6">
        <SignedInAccountCard />
      </Container>
    ),
  },
});

/**
 * The Account tab of the settings page: who is signed in through Auth0, with a sign-out
 * button. The app discovers it (`app.packages: all`) once `packages/app` depends on this
 * package.
 *
 * @public
 */
export const auth0UserSettingsModule = createFrontendModule({
  pluginId: 'user-settings',
  extensions: [accountSettingsPage],
});
