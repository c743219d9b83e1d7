import { expect, test } from '@playwright/test';
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

test.describe('with the production config', () => {
  test('offers Auth0 and no guest', async ({ page }) => {
    await page.goto(productionUrl);
    await expect(signInButton(page)).toBeVisible();
    await expect(
      page.getByRole('button', { name: 'Enter as guest' }),
    ).toHaveCount(0);
    await screenshot(page, 'sign-in-page');
  });

  test('refuses a hand-made request to the guest provider', async ({
    request,
  }) => {
    const response = await request.get(
      `${productionUrl}/api/auth/guest/refresh`,
      { headers: { 'x-requested-with': 'XMLHttpRequest' } },
    );
    expect(response.status()).toBe(404);
  });

  test('refuses /start for an origin that is not the app', async ({
    request,
  }) => {
    const response = await request.get(
      `${productionUrl}/api/auth/auth0/start?env=production&origin=${encodeURIComponent(
        'https://evil.example',
      )}`,
      { maxRedirects: 0 },
    );
    expect(response.status()).toBe(403);
    expect(await response.text()).toContain(
      "Origin 'https://evil.example' is not allowed",
    );
  });

  test('signs chris in, shows who he is and what his team owns', async ({
    page,
  }) => {
    await page.goto(productionUrl);
    await signInWithAuth0(page, 'chris');

    // The catalog is the home page; "Owned" is its default filter.
    const table = catalogTable(page);
    await expect(table.getByRole('link', { name: 'backstage' })).toBeVisible();
    await expect(
      table.getByRole('link', { name: 'cluster-provisioner' }),
    ).toBeVisible();
    await expect(
      table.getByRole('link', { name: 'checkout-service' }),
    ).toHaveCount(0);
    await screenshot(page, 'signed-in-catalog');

    await page.goto(`${productionUrl}/settings/account`);
    await expect(page.getByText('Chris House').first()).toBeVisible();
    await expect(page.getByText('user:default/chris')).toBeVisible();
    await expect(page.getByText('group:default/platform-team')).toBeVisible();
    // The picture comes from Auth0's side, another origin: the CSP must let it load.
    const picture = page.getByRole('img', { name: 'Chris House' });
    await expect(picture).toBeVisible();
    await expect
      .poll(() =>
        picture.evaluate(img => (img as HTMLImageElement).naturalWidth),
      )
      .toBeGreaterThan(0);
    await screenshot(page, 'signed-in-account');
  });

  test('stays signed in across a reload and a new tab, without /userinfo', async ({
    page,
    context,
  }) => {
    await page.goto(productionUrl);
    await signInWithAuth0(page, 'alex');
    await expect(catalogTable(page)).toBeVisible();
    await auth0.resetCounters();

    let popups = 0;
    context.on('page', () => popups++);
    await page.reload();
    await expect(catalogTable(page)).toBeVisible();
    await expect(signInButton(page)).toHaveCount(0);

    const tab = await context.newPage();
    await tab.goto(`${productionUrl}/settings/account`);
    await expect(tab.getByText('user:default/alex')).toBeVisible();
    expect(popups).toBe(1); // the new tab itself; no sign-in popup

    const { requests } = (await auth0.counters()).users['auth0|alex'];
    expect(requests.token).toBeGreaterThanOrEqual(2);
    expect(requests.userinfo ?? 0).toBe(0);
  });

  test('keeps every tab signed in when several refresh at once with rotation on', async ({
    page,
    context,
  }) => {
    await auth0.setRefreshTokenRotation(true);
    await page.goto(productionUrl);
    await signInWithAuth0(page, 'sam');
    await expect(catalogTable(page)).toBeVisible();

    const tabs = await Promise.all(
      Array.from({ length: 5 }, () => context.newPage()),
    );
    await Promise.all(
      tabs.map(tab => tab.goto(`${productionUrl}/settings/account`)),
    );
    for (const tab of tabs) {
      await expect(tab.getByText('user:default/sam')).toBeVisible();
    }
    await page.reload();
    await expect(catalogTable(page)).toBeVisible();
  });

  test('signs out of Backstage and of Auth0', async ({ page }) => {
    await page.goto(productionUrl);
    await signInWithAuth0(page, 'jordan');
    await page.goto(`${productionUrl}/settings/account`);
    await page.getByRole('button', { name: 'Sign out' }).click();

    await expect(signInButton(page)).toBeVisible();
    expect(new URL(page.url()).origin).toBe(productionUrl);
    // The Auth0 session is over too: the next sign-in asks for the password again.
    await signInWithAuth0(page, 'jordan', { expectLoginPage: true });
    await expect(catalogTable(page)).toBeVisible();
  });

  const refusals = [
    {
      user: 'newhire',
      title: 'Your account has no Backstage user yet',
      detail: 'No Backstage user has the email newhire@example.com',
    },
    {
      user: 'jordan-unverified',
      title: 'Your email is not verified in Auth0',
      detail: 'The email jordan.lee@example.com is not verified in Auth0',
    },
    {
      user: 'chris-evil',
      title: 'This email cannot sign in here',
      detail: 'Sign-in with chris@evil.example is not allowed',
    },
  ];
  for (const { user, title, detail } of refusals) {
    test(`tells ${user} why they cannot sign in`, async ({ page, context }) => {
      await page.goto(productionUrl);
      await signInWithAuth0(page, user);
      const alert = page.getByRole('alert');
      await expect(alert).toContainText(title);
      await expect(alert).toContainText(detail);
      await screenshot(page, `refused-${user}`);
      expect(
        (await context.cookies(productionUrl)).map(cookie => cookie.name),
      ).not.toContain('auth0-refresh-token');
    });
  }

  test('says so when the person cancels at Auth0', async ({ page }) => {
    await page.goto(productionUrl);
    await signInWithAuth0(page, 'chris', { cancel: true });
    const alert = page.getByRole('alert');
    await expect(alert).toContainText('Auth0 refused the sign-in');
    await expect(alert).toContainText('access_denied');
    await screenshot(page, 'refused-cancelled');
  });

  test('says Auth0 cannot be reached when its token endpoint fails', async ({
    page,
    context,
  }) => {
    await auth0.failToken(503);
    await page.goto(productionUrl);
    await signInWithAuth0(page, 'chris');
    await expect(page.getByRole('alert')).toContainText(
      'Auth0 cannot be reached',
    );
    await screenshot(page, 'refused-auth0-down');
    expect(
      (await context.cookies(productionUrl)).map(cookie => cookie.name),
    ).not.toContain('auth0-refresh-token');
  });
});
