import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { benchCharts, CHART_LINK_DIR, renderSvgs } from './charts';
import { judgeTargets } from './judge';
import { compareModules, poolModule } from './pool';
import {
  Baseline,
  renderConsoleTable,
  renderSection,
  replaceSection,
} from './render';
import type { BenchResult } from './results';

/** A previous run's results as the baseline of the breakdown: this module, pooled the same way. */
export function baselineOf(previous: BenchResult): Baseline {
  return {
    label: `the run of ${previous.startedAt}`,
    ours: poolModule(previous.modules['this-repo']),
  };
}

/**
 * The report step of `yarn bench`: pools the run's samples (pool.ts), judges the targets
 * (judge.ts), draws the charts (charts.ts) into images/bench/ beside `docFile`, and renders
 * the numbers (render.ts) into the generated section of `docFile`, leaving the prose around
 * it as it is. With `previous`, that run's breakdown is shown beside this one's. Returns the
 * comparison as a table for the terminal.
 */
export async function writeReport(
  result: BenchResult,
  docFile: string,
  previous?: BenchResult,
): Promise<string> {
  const comparison = compareModules(result);
  const judgements = judgeTargets(comparison, result.catalogSizes);
  const charts = benchCharts(result);
  const chartDir = join(dirname(docFile), CHART_LINK_DIR);
  await mkdir(chartDir, { recursive: true });
  const svgs = await renderSvgs(charts);
  for (const [index, chart] of charts.entries()) {
    await writeFile(join(chartDir, chart.file), `${svgs[index]}\n`);
  }
  const document = await readFile(docFile, 'utf8');
  await writeFile(
    docFile,
    replaceSection(
      document,
      renderSection(result, comparison, judgements, {
        charts,
        baseline: previous && baselineOf(previous),
      }),
    ),
  );
  return renderConsoleTable(comparison);
}
