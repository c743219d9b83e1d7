import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { SignedInAccountCard } from './SignedInAccountCard';

describe('SignedInAccountCard', () => {
  it('shows initials without a picture, and no groups', async () => {
    await renderInTestApp(<SignedInAccountCard />, {
      apis: [
        mockApis.identity({
          userEntityRef: 'user:default/bob',
          ownershipEntityRefs: ['user:default/bob'],
          displayName: 'Bob Builder',
          email: 'bob@example.com',
        }),
      ],
    });

    expect(await screen.findByText('Bob Builder')).toBeInTheDocument();
    expect(screen.getByText('BB')).toBeInTheDocument();
    expect(screen.getByText('user:default/bob')).toBeInTheDocument();
    expect(screen.getByText('None')).toBeInTheDocument();
  });

  it('signs out through the identity API', async () => {
    const signOut = jest.fn(async () => {});
    await renderInTestApp(<SignedInAccountCard />, {
      apis: [
        mockApis.identity.mock({
          signOut,
          getProfileInfo: async () => ({ displayName: 'Bob Builder' }),
          getBackstageIdentity: async () => ({
            type: 'user',
            userEntityRef: 'user:default/bob',
            ownershipEntityRefs: ['user:default/bob', 'group:default/builders'],
          }),
        }),
      ],
    });

    expect(
      await screen.findByRole('list', { name: 'Groups' }),
    ).toHaveTextContent('group:default/builders');
    await userEvent.click(screen.getByRole('button', { name: 'Sign out' }));

    expect(signOut).toHaveBeenCalledTimes(1);
  });

  it('says so when the identity cannot be read', async () => {
    await renderInTestApp(<SignedInAccountCard />, {
      apis: [
        mockApis.identity.mock({
          getProfileInfo: async () => {
            throw new Error('session expired');
          },
          getBackstageIdentity: async () => {
            throw new Error('session expired');
          },
        }),
      ],
    });

    expect(
      await screen.findByText('Could not read who is signed in'),
    ).toBeInTheDocument();
    expect(screen.getByText('session expired')).toBeInTheDocument();
  });
});
