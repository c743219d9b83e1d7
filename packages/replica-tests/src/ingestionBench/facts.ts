import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { resolve as resolvePath } from 'node:path';
import {
  formatLoad,
  packageVersion,
  postgresVersion,
  repoRoot,
  sourceState,
} from '../bench/machine';
import type { IngestionFacts } from './results';

const MODULE = '@backstage-auth0/plugin-catalog-backend-module-auth0';
/** What decides what the run measures: the module, the backend that loads it, its config. */
const MEASURED_PATHS = [
  'plugins/catalog-backend-module-auth0',
  'packages/backend',
  'app-config.yaml',
  'app-config.auth0-catalog.yaml',
];

/** What the benchmark ran on: the machine, the runtimes and the module measured. */
export async function ingestionFacts(): Promise<IngestionFacts> {
  const backstage = JSON.parse(
    readFileSync(resolvePath(repoRoot, 'backstage.json'), 'utf8'),
  );
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    backstageRelease: backstage.version,
    postgres: await postgresVersion(),
    catalogBackend: `@backstage/plugin-catalog-backend ${packageVersion(
      '@backstage/plugin-catalog-backend',
    )}`,
    thisModule: `${MODULE} ${packageVersion(MODULE)} (this repo)`,
    source: sourceState(MEASURED_PATHS),
    loadAverageAtStart: formatLoad(),
  };
}
