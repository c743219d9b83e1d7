import { resolve } from 'node:path';

export const repoRoot = resolve(
  require.resolve('@internal/browser-tests/package.json'),
  '../../..',
);
export const screenshotDir = resolve(repoRoot, '.cache/e2e/screenshots');

/** What globalSetup started, handed to the tests through the environment. */
export type Stack = {
  /** The backend with app-config.production.yaml, serving the built app. */
  productionUrl: string;
  /** The backend with app-config.yaml only (development), serving the same built app. */
  developmentUrl: string;
  auth0Issuer: string;
  auth0AdminUrl: string;
};

export function stack(): Stack {
  const value = process.env.E2E_STACK;
  if (!value) {
    throw new Error('E2E_STACK is not set: run the suite with `yarn e2e`');
  }
  return JSON.parse(value);
}
