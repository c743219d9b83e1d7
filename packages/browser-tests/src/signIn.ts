import { expect, Page } from '@playwright/test';
import { resolve } from 'node:path';
import { screenshotDir } from './stack';

export const signInButton = (page: Page) =>
  page.getByRole('button', { name: 'Sign in with Auth0' });

/** The catalog table on the home page, shown once someone is signed in. */
export const catalogTable = (page: Page) =>
  page.getByRole('table').filter({ hasText: 'Lifecycle' });

/**
 * Clicks "Sign in with Auth0" and completes the dev server's login page in the popup as
 * the given fixture user (or cancels there). Resolves when the popup has closed.
 */
export async function signInWithAuth0(
  page: Page,
  user: string,
  options: { cancel?: boolean; expectLoginPage?: boolean } = {},
) {
  const popupOpened = page.waitForEvent('popup');
  await signInButton(page).click();
  const popup = await popupOpened;
  const closed = popup.waitForEvent('close');
  if (options.expectLoginPage !== false) {
    await expect(popup.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    if (options.cancel) {
      await popup.getByRole('button', { name: 'Cancel' }).click();
    } else {
      await popup.locator(`input[name="user"][value="${user}"]`).check();
      await popup.getByLabel('Password').fill('password');
      await popup.getByRole('button', { name: 'Continue' }).click();
    }
  }
  await closed;
}

export async function screenshot(page: Page, name: string) {
  await page.screenshot({ path: resolve(screenshotDir, `${name}.png`) });
}
