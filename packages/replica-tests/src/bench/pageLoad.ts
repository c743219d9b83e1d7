import { existsSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { chromium, Page } from '@playwright/test';
import { catalogTable, signInButton } from '@internal/browser-tests/src/signIn';
import { repoRoot } from './machine';

// Page load in Chromium: from a reload of the signed-in app to its first catalog content, for
// the app served by the replicas (the production bundle in packages/app/dist, which the
// backend serves). A reload starts the app afresh, so the time includes the refresh the app
// makes before it renders anything of a signed-in person.

/** Reload times of one signed-in tab, ms, and what went wrong. */
export type PageLoadSamples = { times: number[]; failures: string[] };

/** Where the backend finds the built app; the benchmark measures page load only with it. */
export const APP_BUNDLE = resolvePath(repoRoot, 'packages/app/dist/index.html');

export function appBundleBuilt(): boolean {
  return existsSync(APP_BUNDLE);
}

/** Debian's Chromium, as the browser tests use it (scripts/ensure-chromium.sh installs it). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * The dev server's popup as a person goes through it: the user, the password, and the consent
 * page when the module asks for one (upstream's sends `prompt=consent`). Resolves once the
 * popup has closed.
 */
async function signInThroughPopup(page: Page, user: string) {
  const popupOpened = page.waitForEvent('popup');
  await signInButton(page).click();
  const popup = await popupOpened;
  const closed = popup.waitForEvent('close');
  await popup.locator(`input[name="user"][value="${user}"]`).check();
  await popup.getByLabel('Password').fill('password');
  await popup.getByRole('button', { name: 'Continue' }).click();
  const accept = popup.getByRole('button', { name: 'Accept' });
  await Promise.race([
    closed,
    accept.click().catch(() => {
      // The popup closed without asking for consent.
    }),
  ]);
  await closed;
}

/**
 * Signs `user` in through the dev server's popup at `baseUrl`, then reloads `warmUp + count`
 * times, timing from the reload until the catalog table's first row is visible; the first
 * `warmUp` are not counted.
 */
export async function measurePageLoads(options: {
  baseUrl: string;
  user: string;
  count: number;
  warmUp: number;
  timeoutMs?: number;
}): Promise<PageLoadSamples> {
  const timeout = options.timeoutMs ?? 30_000;
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const times: number[] = [];
  const failures: string[] = [];
  try {
    // The dev server's certificate comes from its own CA.
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    page.setDefaultTimeout(timeout);
    const firstRow = catalogTable(page).getByRole('row').nth(1);
    try {
      await page.goto(options.baseUrl);
      await signInThroughPopup(page, options.user);
      await firstRow.waitFor({ state: 'visible' });
    } catch (error) {
      failures.push(`sign-in: ${(error as Error).message}`);
      return { times, failures };
    }
    for (let index = 0; index < options.warmUp + options.count; index++) {
      const started = performance.now();
      try {
        await page.reload({ waitUntil: 'commit' });
        await firstRow.waitFor({ state: 'visible' });
        if (index >= options.warmUp) times.push(performance.now() - started);
      } catch (error) {
        failures.push(`reload ${index + 1}: ${(error as Error).message}`);
      }
    }
  } finally {
    await browser.close();
  }
  return { times, failures };
}
