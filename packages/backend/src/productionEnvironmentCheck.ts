import { readFileSync } from 'node:fs';
import { basename, resolve as resolvePath } from 'node:path';
import { parse as parseYaml } from 'yaml';

/** A variable that a config file substitutes (`${NAME}` or `$env: NAME`) and where. */
export type ConfigVariable = { name: string; keyPath: string; file: string };

const PLACEHOLDER =
  /^(<.*>|change[-_ ]?me.*|replace[-_ ]?me.*|placeholder|todo|tbd|fixme|x{3,}|\.\.\.|your[-_].*|null|undefined)$/i;

/** Every variable the given config file reads, with the key that reads it. */
export function variablesInConfig(
  file: string,
  text: string,
): ConfigVariable[] {
  const found: ConfigVariable[] = [];
  const visit = (value: unknown, keyPath: string) => {
    if (typeof value === 'string') {
      for (const match of value.matchAll(
        /(?<!\$)\$\{\s*([A-Za-z0-9_]+)\s*\}/g,
      )) {
        found.push({ name: match[1], keyPath, file });
      }
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => visit(item, `${keyPath}[${index}]`));
    } else if (value && typeof value === 'object') {
      const entries = Object.entries(value);
      if (entries.length === 1 && entries[0][0] === '$env') {
        found.push({ name: String(entries[0][1]), keyPath, file });
        return;
      }
      for (const [key, child] of entries) {
        visit(child, keyPath ? `${keyPath}.${key}` : key);
      }
    }
  };
  visit(parseYaml(text), '');
  return found;
}

/** What is wrong with the variables' values; one line per variable. */
export function environmentProblems(
  variables: ConfigVariable[],
  env: NodeJS.ProcessEnv,
): string[] {
  const problems = new Map<string, string>();
  for (const { name, keyPath, file } of variables) {
    if (problems.has(name)) continue;
    const value = env[name];
    const where = `${keyPath} in ${basename(file)}`;
    if (value === undefined) {
      problems.set(
        name,
        `${name} is not set (read by ${where}): set it in the environment`,
      );
    } else if (value.trim() === '') {
      problems.set(
        name,
        `${name} is empty (read by ${where}): give it a value`,
      );
    } else if (PLACEHOLDER.test(value.trim())) {
      problems.set(
        name,
        `${name} is still the placeholder "${value.trim()}" (read by ${where}): replace it with the real value`,
      );
    }
  }
  return [...problems.values()];
}

/** The files given as `--config <file>` or `--config=<file>`, as Backstage reads them. */
export function configFilesFromArgs(args: string[], cwd: string): string[] {
  const files: string[] = [];
  args.forEach((arg, index) => {
    if (arg === '--config' && args[index + 1]) {
      files.push(resolvePath(cwd, args[index + 1]));
    } else if (arg.startsWith('--config=')) {
      files.push(resolvePath(cwd, arg.slice('--config='.length)));
    }
  });
  return files;
}

/**
 * In production, refuses to start while a variable that the config reads is missing,
 * empty or still a placeholder: Backstage would otherwise drop the key silently and,
 * for example, connect to a default database or start without Auth0.
 */
export function checkProductionEnvironment(options: {
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
}): string[] {
  if (options.env.NODE_ENV !== 'production') {
    return [];
  }
  const variables = configFilesFromArgs(options.args, options.cwd).flatMap(
    file => variablesInConfig(file, readFileSync(file, 'utf8')),
  );
  return environmentProblems(variables, options.env);
}
