import { expect, test } from '@playwright/test';
import { stack } from '../src/stack';
import {
  catalogTable,
  screenshot,
  signInButton,
  signInWithAuth0,
} from '../src/signIn';

const { developmentUrl } = stack();

test.describe('with the development config', () => {
  test('offers guest beside Auth0, and guest signs in', async ({ page }) => {
    await page.goto(developmentUrl);
    await expect(signInButton(page)).toBeVisible();
    const guest = page.getByRole('button', { name: 'Enter as guest' });
    await expect(guest).toBeVisible();
    await screenshot(page, 'sign-in-page-development');

    await guest.click();
    await expect(catalogTable(page)).toBeVisible();
    await page.goto(`${developmentUrl}/settings/account`);
    await expect(
      page.locator('dl').getByText('user:development/guest'),
    ).toBeVisible();
  });

  test('signs in a person who is only in Auth0, owning what their Auth0 role owns', async ({
    page,
  }) => {
    // riley is in no file of examples/: the catalog has them from the dev server's Auth0 users,
    // in payments-team through the role Payments Team.
    await page.goto(developmentUrl);
    await signInWithAuth0(page, 'riley');

    const table = catalogTable(page);
    await expect(
      table.getByRole('link', { name: 'checkout-service' }),
    ).toBeVisible();
    await expect(table.getByRole('link', { name: 'backstage' })).toHaveCount(0);
    await screenshot(page, 'signed-in-from-auth0-catalog');

    await page.goto(`${developmentUrl}/settings/account`);
    await expect(page.getByText('Riley Quinn').first()).toBeVisible();
    await expect(page.getByText('user:default/riley')).toBeVisible();
    await expect(page.getByText('group:default/payments-team')).toBeVisible();
  });
});
