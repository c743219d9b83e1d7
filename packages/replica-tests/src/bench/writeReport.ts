import { readFile, writeFile } from 'node:fs/promises';
import { judgeTargets } from './judge';
import { compareModules } from './pool';
import { renderConsoleTable, renderSection, replaceSection } from './render';
import type { BenchResult } from './results';

/**
 * The report step of `yarn bench`: pools the run's samples (pool.ts), judges the targets
 * (judge.ts), and renders them (render.ts) into the generated section of `docFile`, leaving
 * the prose around it as it is. Returns the comparison as a table for the terminal.
 */
export async function writeReport(
  result: BenchResult,
  docFile: string,
): Promise<string> {
  const comparison = compareModules(result);
  const judgements = judgeTargets(comparison, result.catalogSizes);
  const document = await readFile(docFile, 'utf8');
  await writeFile(
    docFile,
    replaceSection(document, renderSection(result, comparison, judgements)),
  );
  return renderConsoleTable(comparison);
}
