import { randomUUID } from 'node:crypto';
import { resolve as resolvePath } from 'node:path';
import { ConfigSources, FileConfigSource } from '@backstage/config-loader';

/** An environment variable that Backstage config reads, and the key that reads it. */
export type ConfigVariable = {
  name: string;
  /** The key in the loaded config, e.g. `backend.database.connection.host`. */
  keyPath: string;
  /**
   * The config file that reads it, as the command line names it; also when the key comes
   * from a file that this one `$include`s.
   */
  file: string;
  /**
   * Whether every key that reads it keeps a value without it: `${NAME:-fallback}`, which
   * Backstage resolves to the fallback when NAME is unset or empty.
   */
  hasDefault: boolean;
};

/** The files a command line loads with `--config <file>` or `--config=<file>`, as Backstage parses them. */
export function configFilesOfCommand(args: string[]): string[] {
  return ConfigSources.parseArgs(args).flatMap(target =>
    // A `--config` without a value parses as `true`; URLs are not files.
    target.type === 'path' && typeof target.target === 'string'
      ? [target.target]
      : [],
  );
}

/**
 * Every variable that the config files read (`${NAME}`, `${NAME:-fallback}` and `$env: NAME`,
 * also in `$include`d files; not the `$${NAME}` escape), once each, in the order they first
 * appear. Each is named by the key that needs it most: one without a fallback if there is
 * one, the first in the last file that reads it, as a later file overrides an earlier one.
 *
 * The files are read by @backstage/config-loader with a substitution function that records
 * each variable it is asked for, so this finds exactly what Backstage substitutes.
 */
export async function readConfigVariables(
  files: string[],
  options: { cwd: string },
): Promise<ConfigVariable[]> {
  const readers: ConfigVariable[] = [];
  for (const file of files) {
    readers.push(
      ...(await variablesOfFile(resolvePath(options.cwd, file), file)),
    );
  }
  return oneReaderPerVariable(readers);
}

// The substitution function learns a variable's name but not the key it is read for. It
// answers each call with a marker naming the call, and the key is where the marker lands.
const nonce = randomUUID();
const MARKER = new RegExp(`<${nonce}:(\\d+)>`, 'g');
const marker = (call: number) => `<${nonce}:${call}>`;

/**
 * What a file yields when the substitution function answers `answer(name, call)`; `call`
 * counts the calls in order, which is the same order on every read of the same file.
 */
async function readWith(
  path: string,
  answer: (name: string, call: number) => string | undefined,
): Promise<unknown> {
  let calls = 0;
  const source = FileConfigSource.create({
    path,
    watch: false,
    substitutionFunc: async name => answer(name, calls++),
  });
  const reads = source.readConfigData();
  try {
    const first = await reads.next();
    return first.done ? undefined : first.value.configs[0]?.data;
  } finally {
    await reads.return(undefined);
  }
}

async function variablesOfFile(
  path: string,
  file: string,
): Promise<ConfigVariable[]> {
  const names: string[] = [];
  let data: unknown;
  try {
    data = await readWith(path, (name, call) => {
      names[call] = name;
      return marker(call);
    });
  } catch (error) {
    // The message quotes markers where a variable is part of an `$include` or `$file` path.
    throw new Error(
      (error as Error).message.replace(
        MARKER,
        (_match, call) => `\${${names[Number(call)]}}`,
      ),
    );
  }

  const keyPaths = new Map<number, string>();
  forEachValue(data, '', (value, keyPath) => {
    if (typeof value !== 'string') return;
    for (const match of value.matchAll(MARKER)) {
      keyPaths.set(Number(match[1]), keyPath);
    }
  });

  // Without its variable a key keeps its value only through a fallback; without one,
  // Backstage drops the key, so the loaded file has one value fewer.
  const values = countValues(data);
  const found: ConfigVariable[] = [];
  for (const [call, keyPath] of [...keyPaths].sort(([a], [b]) => a - b)) {
    const withoutIt = await readWith(path, (_name, other) =>
      other === call ? undefined : marker(other),
    );
    found.push({
      name: names[call],
      keyPath,
      file,
      hasDefault: countValues(withoutIt) === values,
    });
  }
  return found;
}

function forEachValue(
  value: unknown,
  keyPath: string,
  visit: (value: unknown, keyPath: string) => void,
) {
  if (Array.isArray(value)) {
    value.forEach((item, index) =>
      forEachValue(item, `${keyPath}[${index}]`, visit),
    );
  } else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      forEachValue(child, keyPath ? `${keyPath}.${key}` : key, visit);
    }
  } else {
    visit(value, keyPath);
  }
}

function countValues(data: unknown): number {
  let count = 0;
  forEachValue(data, '', () => {
    count += 1;
  });
  return count;
}

function oneReaderPerVariable(readers: ConfigVariable[]): ConfigVariable[] {
  const byName = new Map<string, ConfigVariable[]>();
  for (const reader of readers) {
    byName.set(reader.name, [...(byName.get(reader.name) ?? []), reader]);
  }
  return [...byName.values()].map(all => {
    const required = all.filter(reader => !reader.hasDefault);
    const candidates = required.length > 0 ? required : all;
    const lastFile = candidates[candidates.length - 1].file;
    const reader = candidates.find(candidate => candidate.file === lastFile)!;
    return { ...reader, hasDefault: required.length === 0 };
  });
}
