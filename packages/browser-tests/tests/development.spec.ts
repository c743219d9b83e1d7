import { expect, test } from '@playwright/test';
import { stack } from '../src/stack';
import { catalogTable, screenshot, signInButton } from '../src/signIn';

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
});
