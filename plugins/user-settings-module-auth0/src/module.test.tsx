import { screen, within } from '@testing-library/react';
import { mockApis, renderTestApp } from '@backstage/frontend-test-utils';
import userSettingsPlugin from '@backstage/plugin-user-settings/alpha';
import { auth0UserSettingsModule } from './module';

const alice = mockApis.identity({
  userEntityRef: 'user:default/alice',
  ownershipEntityRefs: ['user:default/alice', 'group:default/team-a'],
  email: 'alice@example.com',
  displayName: 'Alice Example',
  picture: 'https://example.com/alice.png',
});

describe('auth0UserSettingsModule', () => {
  it('adds an Account tab to the settings page showing who is signed in', async () => {
    renderTestApp({
      features: [userSettingsPlugin, auth0UserSettingsModule],
      apis: [alice],
      initialRouteEntries: ['/settings/account'],
    });

    expect(await screen.findByText('Alice Example')).toBeInTheDocument();
    expect(screen.getByText('Signed in as')).toBeInTheDocument();
    expect(screen.getByText('alice@example.com')).toBeInTheDocument();
    expect(screen.getByRole('img', { name: 'Alice Example' })).toHaveAttribute(
      'src',
      'https://example.com/alice.png',
    );
    expect(screen.getByText('user:default/alice')).toBeInTheDocument();
    expect(screen.getByRole('list', { name: 'Groups' })).toHaveTextContent(
      'group:default/team-a',
    );
  });

  it("lists the Account tab beside the settings page's own tabs", async () => {
    renderTestApp({
      features: [userSettingsPlugin, auth0UserSettingsModule],
      apis: [alice],
      initialRouteEntries: ['/settings/account'],
    });

    const tabs = await screen.findByRole('tablist');
    expect(within(tabs).getByRole('tab', { name: 'Account' })).toBeVisible();
    expect(within(tabs).getByRole('tab', { name: 'General' })).toBeVisible();
  });
});
