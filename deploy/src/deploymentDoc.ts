import { Lexer, type Token } from 'marked';
import { parse as parseShell } from 'shell-quote';

/** An `az keyvault secret set` command found in a shell code block of a markdown file. */
export type SecretSetCommand = {
  /** The Key Vault secret's name (`--name` / `-n`). */
  name: string;
  /** The command as written, continuation lines joined. */
  command: string;
};

const SHELL_LANGUAGES = new Set(['sh', 'bash', 'shell', 'zsh']);

function shellCodeBlocks(tokens: Token[]): string[] {
  return tokens.flatMap(token => {
    const nested = [
      ...('tokens' in token && Array.isArray(token.tokens)
        ? shellCodeBlocks(token.tokens)
        : []),
      ...('items' in token && Array.isArray(token.items)
        ? shellCodeBlocks(token.items)
        : []),
    ];
    if (token.type === 'code' && SHELL_LANGUAGES.has(token.lang ?? '')) {
      return [token.text, ...nested];
    }
    return nested;
  });
}

/** Shell commands of a script, split at newlines (after joining `\` continuations), `;`, `&&` and `||`. */
function shellCommands(script: string): { words: string[]; text: string }[] {
  const commands: { words: string[]; text: string }[] = [];
  for (const line of script.replace(/\\\n/g, ' ').split('\n')) {
    let words: string[] = [];
    // Variables stay as written: only the command's shape matters here.
    for (const entry of parseShell(line, name => `$${name}`)) {
      if (typeof entry === 'string') {
        words.push(entry);
      } else if ('comment' in entry) {
        break;
      } else if ('op' in entry && ['&&', '||', ';', '|'].includes(entry.op)) {
        if (words.length > 0) commands.push({ words, text: line.trim() });
        words = [];
      }
    }
    if (words.length > 0) commands.push({ words, text: line.trim() });
  }
  return commands;
}

/** Every `az keyvault secret set` in the markdown's sh/bash code blocks, with the secret name it sets. */
export function secretSetCommands(markdown: string): SecretSetCommand[] {
  const found: SecretSetCommand[] = [];
  for (const block of shellCodeBlocks(Lexer.lex(markdown))) {
    for (const { words, text } of shellCommands(block)) {
      if (words.slice(0, 4).join(' ') !== 'az keyvault secret set') continue;
      const inline = words.find(word => word.startsWith('--name='));
      const nameIndex = words.findIndex(
        word => word === '--name' || word === '-n',
      );
      const name = inline
        ? inline.slice('--name='.length)
        : words[nameIndex + 1];
      if (!name || (!inline && nameIndex === -1)) {
        throw new Error(`\`${text}\` has no --name`);
      }
      found.push({ name, command: text });
    }
  }
  return found;
}
