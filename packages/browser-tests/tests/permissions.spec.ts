import {
  expect,
  test,
  type APIRequestContext,
  type Page,
} from '@playwright/test';
import { createAdminClient } from '@internal/auth0-dev-server/adminClient';
import { stack } from '../src/stack';
import { catalogTable, screenshot, signInWithAuth0 } from '../src/signIn';

const { productionUrl, developmentUrl, auth0AdminUrl } = stack();
const auth0 = createAdminClient(auth0AdminUrl);

test.beforeEach(async () => {
  await auth0.reset();
});

/**
 * Both stacks run the permission policy with their config's admins, group:default/platform-team
 * (chris's team): in production from examples/org.yaml, in development from the dev server's
 * Auth0 role "Platform Team". payments-team owns checkout-service and checkout-api; sam owns
 * neither backstage nor anything of the platform team.
 */
/** What packages/app shows under a refused "Unregister entity". */
const REFUSAL = 'Only its owners or a Backstage admin can unregister it';

const stacks = [
  { name: 'production', url: productionUrl },
  { name: 'development', url: developmentUrl },
];

/** Signs in, then opens an entity's page as someone following a link to it would. */
async function openEntity(
  page: Page,
  url: string,
  user: string,
  entityPath: string,
) {
  await page.goto(url);
  await signInWithAuth0(page, user);
  await expect(catalogTable(page)).toBeVisible();

  // Every call to the backend carries the person's Backstage token.
  const tokenSent = page.waitForRequest(
    request =>
      request.url().includes('/api/catalog/') &&
      !!request.headers().authorization,
  );
  await page.goto(`${url}/catalog/default/${entityPath}`);
  const authorization = (await tokenSent).headers().authorization;

  // Opening the menu asks the permission backend whether to offer "Unregister entity": wait
  // for the answer, so that the item shows its final state rather than the one while loading.
  const answered = page.waitForResponse(
    response =>
      response.url().endsWith('/api/permission/authorize') &&
      (response.request().postData() ?? '').includes('catalog.entity.delete'),
  );
  await page.getByRole('button', { name: 'More actions' }).click();
  await answered;
  return {
    authorization,
    unregister: page.getByRole('menuitem', { name: 'Unregister entity' }),
  };
}

/** The catalog's entity, or undefined once it is gone. */
async function catalogEntity(
  request: APIRequestContext,
  url: string,
  authorization: string,
  entityPath: string,
) {
  const response = await request.get(
    `${url}/api/catalog/entities/by-name/${entityPath}`,
    { headers: { authorization } },
  );
  if (response.status() === 404) return undefined;
  expect(response.status()).toBe(200);
  return response.json();
}

/**
 * Brings back an entity that was deleted from a location the catalog still reads: refreshing
 * the Location entities processes them again, which adds what they hold.
 */
async function restoreEntity(
  request: APIRequestContext,
  url: string,
  authorization: string,
  entityPath: string,
) {
  const locations = await request.get(
    `${url}/api/catalog/entities/by-query?filter=kind=location&fields=kind,metadata.namespace,metadata.name`,
    { headers: { authorization } },
  );
  expect(locations.status()).toBe(200);
  for (const location of (await locations.json()).items) {
    const refresh = await request.post(`${url}/api/catalog/refresh`, {
      headers: { authorization },
      data: {
        entityRef: `location:${location.metadata.namespace}/${location.metadata.name}`,
      },
    });
    expect(refresh.status()).toBe(200);
  }
  await expect
    .poll(() => catalogEntity(request, url, authorization, entityPath), {
      timeout: 60_000,
    })
    .toBeDefined();
}

for (const { name, url } of stacks) {
  test.describe(`permissions with the ${name} config`, () => {
    test('offers no "Unregister entity" to someone who neither owns the entity nor is an admin', async ({
      page,
      request,
    }) => {
      const { authorization, unregister } = await openEntity(
        page,
        url,
        'sam',
        'component/backstage',
      );
      // Backstage greys the item out; the app says why underneath.
      await expect(unregister).toBeVisible();
      await expect(unregister).toBeDisabled();
      await expect(unregister).toContainText(REFUSAL);
      await screenshot(page, `unregister-refused-${name}`);
      await unregister.click({ force: true });
      await expect(
        page.getByText('Are you sure you want to unregister this entity?'),
      ).toHaveCount(0);

      // The same request sent by hand, as the app would send it: the catalog refuses it.
      const entity = await catalogEntity(
        request,
        url,
        authorization,
        'component/default/backstage',
      );
      const response = await request.delete(
        `${url}/api/catalog/entities/by-uid/${entity.metadata.uid}`,
        { headers: { authorization } },
      );
      expect(response.status()).toBe(403);
      expect((await response.json()).error.name).toBe('NotAllowedError');
      expect(
        await catalogEntity(
          request,
          url,
          authorization,
          'component/default/backstage',
        ),
      ).toBeDefined();
    });

    test('offers "Unregister entity" to an owner', async ({ page }) => {
      const { unregister } = await openEntity(
        page,
        url,
        'jordan',
        'component/checkout-service',
      );
      await expect(unregister).toBeEnabled();
      await expect(unregister).not.toContainText(REFUSAL);
      await unregister.click();
      await expect(
        page.getByText('Are you sure you want to unregister this entity?'),
      ).toBeVisible();
      await page.getByRole('button', { name: 'Cancel' }).click();
      await expect(
        page.getByText('Are you sure you want to unregister this entity?'),
      ).toHaveCount(0);
    });

    test('lets an admin unregister an entity of another team', async ({
      page,
      request,
    }) => {
      const { authorization, unregister } = await openEntity(
        page,
        url,
        'chris',
        'api/checkout-api',
      );
      try {
        await expect(unregister).toBeEnabled();
        await unregister.click();
        // The examples come from a location in app-config, which no one can unregister: the
        // dialog offers to delete the entity.
        await expect(
          page.getByText(
            'This entity does not seem to originate from a registered location.',
            { exact: false },
          ),
        ).toBeVisible();
        await screenshot(page, `unregister-admin-${name}`);
        await page.getByRole('button', { name: 'Delete Entity' }).click();
        await expect(
          page.getByText('Removed entity checkout-api'),
        ).toBeVisible();
        await expect
          .poll(() =>
            catalogEntity(
              request,
              url,
              authorization,
              'api/default/checkout-api',
            ),
          )
          .toBeUndefined();
      } finally {
        await restoreEntity(
          request,
          url,
          authorization,
          'api/default/checkout-api',
        );
      }
    });
  });
}
