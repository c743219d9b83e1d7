import { screen } from '@testing-library/react';

/**
 * The sign-in page's buttons. `find…` waits until the page offers sign-in; `query…` gives
 * `null` where the page does not show the button.
 */
const AUTH0 = { name: 'Sign in with Auth0' };
const GUEST = { name: 'Enter as guest' };

export const findAuth0Button = () => screen.findByRole('button', AUTH0);
export const queryAuth0Button = () => screen.queryByRole('button', AUTH0);
export const findGuestButton = () => screen.findByRole('button', GUEST);
export const queryGuestButton = () => screen.queryByRole('button', GUEST);
