// `yarn bench:ingestion`: how long the Auth0 entity provider (plugins/catalog-backend-module-auth0)
// takes to bring 1,000, 10,000 and 100,000 users from the local Auth0 dev server into the
// catalog of the real backend, on PostgreSQL, and how much the backend's memory grows meanwhile.
// Prints a table, rewrites the `ingestion-bench` section of docs/benchmarks.md (render.ts) and
// draws its chart into docs/images/bench/ (../bench/charts.ts).
// Not run by CI: 100,000 users take a while.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import { CHART_DIR, ingestionChart, renderSvg } from '../bench/charts';
import { formatLoad, repoRoot } from '../bench/machine';
import { ingestionFacts } from './facts';
import { measureSize, SAMPLE_INTERVAL_MS } from './measureSize';
import { IngestionBenchOptions, parseOptions, USAGE } from './options';
import { renderConsoleTable, renderSection, replaceSection } from './render';
import type { IngestionResult } from './results';

function log(message: string) {
  process.stderr.write(
    `[bench:ingestion ${new Date().toISOString().slice(11, 19)}] ${message}\n`,
  );
}

async function main() {
  const args = process.argv.slice(2);
  if (args.includes('--help')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const options = parseOptions(args, process.env);
  const docFile = resolvePath(repoRoot, 'docs/benchmarks.md');
  if (options.write) {
    // Fails now, not after the measurements, when the document lost its generated section.
    replaceSection(await readFile(docFile, 'utf8'), '');
  }
  const result = options.from
    ? (JSON.parse(await readFile(options.from, 'utf8')) as IngestionResult)
    : await measure(options);
  if (!result) return;

  process.stdout.write(`${renderConsoleTable(result)}\n`);
  if (options.write) {
    const chart = ingestionChart(result);
    const chartDir = resolvePath(repoRoot, CHART_DIR);
    await mkdir(chartDir, { recursive: true });
    await writeFile(join(chartDir, chart.file), `${await renderSvg(chart)}\n`);
    const document = await readFile(docFile, 'utf8');
    await writeFile(
      docFile,
      replaceSection(document, renderSection(result, chart)),
    );
    log(
      `wrote the ingestion-bench section of ${docFile} and its chart ${CHART_DIR}/${chart.file}`,
    );
  }
}

/** Measures every size in turn; undefined when interrupted. */
async function measure(
  options: IngestionBenchOptions,
): Promise<IngestionResult | undefined> {
  const startedAt = new Date();
  const result: IngestionResult = {
    facts: await ingestionFacts(),
    startedAt: startedAt.toISOString(),
    minutes: 0,
    loadAverageAtEnd: '',
    sampleIntervalMs: SAMPLE_INTERVAL_MS,
    ...(options.backendEnv && { backendEnv: options.backendEnv }),
    sizes: [],
  };
  // Written after every size, so that a run cut short keeps what it measured.
  const resultsFile = join(tmpdir(), `ingestion-bench-${process.pid}.json`);
  const save = async () => {
    result.minutes = (Date.now() - startedAt.getTime()) / 60_000;
    result.loadAverageAtEnd = formatLoad();
    await writeFile(resultsFile, JSON.stringify(result, null, 2));
  };
  log(
    `results go to ${resultsFile} (yarn bench:ingestion --from ${resultsFile} renders them again)`,
  );

  const workDir = await mkdtemp(join(tmpdir(), 'ingestion-bench-'));
  // Stopping the dev server and the backend and dropping the databases is measureSize's, in
  // its `finally`: an interrupt ends its waiting with an error, so that the cleanup runs.
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log('interrupted: cleaning up (interrupt again to quit at once)');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const isInterrupted = () => interrupted;
  try {
    for (const syntheticUsers of options.sizes) {
      result.sizes.push(
        await measureSize({
          syntheticUsers,
          workDir,
          timeoutMs: options.timeoutMinutes * 60_000,
          log,
          interrupted: isInterrupted,
          backendEnv: options.backendEnv,
        }),
      );
      await save();
    }
  } catch (error) {
    if (!interrupted) throw error;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
  if (interrupted) {
    process.exitCode = 130;
    return undefined;
  }
  return result;
}

main().catch(error => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(1);
});
