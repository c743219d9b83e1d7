import { parse } from 'yaml';

/** An environment variable that a Backstage config file reads, and the key that reads it. */
export type ConfigVariable = { name: string; keyPath: string; file: string };

/** Every `${NAME}` and `$env: NAME` in a Backstage config file, in the order they appear. */
export function variablesReadByConfig(
  file: string,
  text: string,
): ConfigVariable[] {
  const found: ConfigVariable[] = [];
  const visit = (value: unknown, keyPath: string) => {
    if (typeof value === 'string') {
      // `$${NAME}` is Backstage's escape for a literal `${NAME}`.
      for (const match of value.matchAll(/(?<!\$)\$\{\s*(\w+)\s*\}/g)) {
        found.push({ name: match[1], keyPath, file });
      }
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => visit(item, `${keyPath}[${index}]`));
    } else if (value !== null && typeof value === 'object') {
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
  visit(parse(text), '');
  return found;
}

/** The files a backend command line loads with `--config <file>` or `--config=<file>`. */
export function configFilesOfCommand(command: string[]): string[] {
  return command.flatMap((arg, index) => {
    if (arg === '--config' && command[index + 1]) return [command[index + 1]];
    if (arg.startsWith('--config=')) return [arg.slice('--config='.length)];
    return [];
  });
}
