import { expect, Page, test } from '@playwright/test';
import { createAdminClient } from '@internal/auth0-dev-server/adminClient';
import { stack } from '../src/stack';
import {
  catalogTable,
  screenshot,
  signInButton,
  signInWithAuth0,
} from '../src/signIn';

const { productionUrl, auth0AdminUrl } = stack();
const auth0 = createAdminClient(auth0AdminUrl);

test.beforeEach(async () => {
  await auth0.reset();
});

test.afterEach(async () => {
  // Never leave Auth0 "down" for the tests that follow.
  await auth0.reset();
});

/** The sign-in page's own report, after a reload during the outage. */
const reloadOutage = (page: Page) =>
  page
    .getByRole('status')
    .filter({ hasText: 'Auth0 is unreachable, retrying' });

/** The notice over the app, in a tab that stays signed in. */
const outageNotice = (page: Page) =>
  page.getByRole('status', { name: 'Auth0 sign-in status' });

test.describe('while Auth0 is down (its token endpoint answers 503)', () => {
  test('a reload shows the outage, not the sign-in page, and continues signed in once Auth0 is back', async ({
    page,
    context,
  }) => {
    await page.goto(productionUrl);
    await signInWithAuth0(page, 'chris');
    await expect(catalogTable(page)).toBeVisible();

    await auth0.failToken(503);
    let popups = 0;
    context.on('page', () => popups++);
    const refreshes: number[] = [];
    page.on('response', response => {
      if (new URL(response.url()).pathname === '/api/auth/auth0/refresh') {
        refreshes.push(response.status());
      }
    });
    await page.reload();

    await expect(reloadOutage(page)).toBeVisible();
    await expect(reloadOutage(page)).toContainText(
      'Auth0 is unreachable or failing',
    );
    await expect(signInButton(page)).toHaveCount(0);
    await expect(catalogTable(page)).toHaveCount(0);
    await screenshot(page, 'auth0-down-after-reload');
    // It keeps trying (Retry-After: 5 from the backend), still without a sign-in page.
    await expect
      .poll(() => refreshes.length, { timeout: 20_000 })
      .toBeGreaterThanOrEqual(2);
    expect(new Set(refreshes)).toEqual(new Set([503]));
    await expect(reloadOutage(page)).toBeVisible();
    await expect(signInButton(page)).toHaveCount(0);

    await auth0.updateKnobs({ tokenErrorStatus: null });

    // The next retry gets the session: the app opens without a click.
    await expect(catalogTable(page)).toBeVisible({ timeout: 30_000 });
    await expect(reloadOutage(page)).toHaveCount(0);
    await expect(outageNotice(page)).toHaveCount(0);
    await expect(signInButton(page)).toHaveCount(0);
    expect(refreshes.at(-1)).toBe(200);
    expect(popups).toBe(0);
  });

  test('an open tab keeps working on its token with a notice, and the notice goes once Auth0 is back', async ({
    page,
  }) => {
    // The page's clock runs normally, and can jump ahead to when the token is due for renewal.
    await page.clock.install();
    await page.goto(productionUrl);
    await signInWithAuth0(page, 'chris');
    await expect(catalogTable(page)).toBeVisible();

    await auth0.failToken(503);
    // Backstage tokens last an hour and are renewed in their last 3 minutes.
    await page.clock.fastForward('58:00');
    // Going to another page and back makes requests, which renew the token first.
    await page.getByRole('link', { name: 'Settings' }).first().click();
    await expect(page).toHaveURL(/\/settings/);
    await page.goBack();

    await expect(outageNotice(page)).toContainText(
      'Auth0 is unreachable — you stay signed in; retrying',
    );
    // The catalog still loads, on the token the tab already has.
    await expect(
      catalogTable(page).getByRole('link', { name: 'backstage' }),
    ).toBeVisible();
    await expect(outageNotice(page)).toBeVisible();
    await expect(signInButton(page)).toHaveCount(0);
    await screenshot(page, 'auth0-down-open-tab');

    await auth0.updateKnobs({ tokenErrorStatus: null });

    await expect(outageNotice(page)).toHaveCount(0, { timeout: 30_000 });
    await expect(catalogTable(page)).toBeVisible();
  });
});
