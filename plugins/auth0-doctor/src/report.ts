import { CheckResult } from './checks';

const SYMBOLS: Record<CheckResult['status'], string> = {
  pass: '✔',
  fail: '✖',
  warn: '!',
  skip: '!',
};

/** One line per check (`✔ name: found`, `✖ name: wrong — fix`), then its details indented. */
export function formatText(results: CheckResult[]): string {
  return results
    .flatMap(result => [
      `${SYMBOLS[result.status]} ${result.check}: ${result.message}${
        result.fix ? ` — ${result.fix}` : ''
      }`,
      ...(result.details ?? []).map(detail => `    ${detail}`),
    ])
    .map(line => `${line}\n`)
    .join('');
}

/** The results as a JSON array, for CI. */
export function formatJson(results: CheckResult[]): string {
  return `${JSON.stringify(results, null, 2)}\n`;
}

/** 1 when any check failed; warnings and skipped checks do not fail. */
export function exitCodeOf(results: CheckResult[]): number {
  return results.some(result => result.status === 'fail') ? 1 : 0;
}
