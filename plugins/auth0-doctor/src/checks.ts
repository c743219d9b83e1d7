/**
 * The names of the checks, in the order they run and print. They are stable: `--json`
 * consumers and docs/troubleshooting.md refer to them.
 */
export const CHECKS = {
  config: 'config',
  catalogProviderConfig: 'catalog-provider-config',
  discovery: 'discovery',
  signingKeys: 'signing-keys',
  clientCredentials: 'client-credentials',
  managementApi: 'management-api',
  application: 'application',
  callbackUrl: 'callback-url',
  logoutUrl: 'logout-url',
  refreshGrant: 'refresh-grant',
  offlineAccess: 'offline-access',
  refreshTokenRotation: 'refresh-token-rotation',
  signingAlgorithm: 'signing-algorithm',
  catalogCoverage: 'catalog-coverage',
} as const;

export type CheckName = (typeof CHECKS)[keyof typeof CHECKS];

/** `skip` and `warn` both print `!`; only `fail` makes the exit code 1. */
export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';

/** One check's outcome: a line of the report, an element of `--json`'s array. */
export type CheckResult = {
  check: CheckName;
  status: CheckStatus;
  /** What the doctor found. */
  message: string;
  /** What to do about it; absent when there is nothing to do. */
  fix?: string;
  /** One line each: the problems of a config, the users sign-in would refuse. */
  details?: string[];
};

export function pass(
  check: CheckName,
  message: string,
  details?: string[],
): CheckResult {
  return { check, status: 'pass', message, ...(details ? { details } : {}) };
}

export function fail(
  check: CheckName,
  message: string,
  fix: string,
  details?: string[],
): CheckResult {
  return {
    check,
    status: 'fail',
    message,
    fix,
    ...(details ? { details } : {}),
  };
}

export function warn(
  check: CheckName,
  message: string,
  fix: string,
): CheckResult {
  return { check, status: 'warn', message, fix };
}

/** A check that could not run: `message` says why, `fix` how to make it run. */
export function skip(
  check: CheckName,
  message: string,
  fix: string,
): CheckResult {
  return { check, status: 'skip', message: `skipped: ${message}`, fix };
}

/** The same reason for several checks that depend on one that did not pass. */
export function skipAll(
  checks: CheckName[],
  message: string,
  fix: string,
): CheckResult[] {
  return checks.map(check => skip(check, message, fix));
}
