import {
  DockerfileParser,
  JSONInstruction,
  type Instruction,
} from 'dockerfile-ast';

/** A COPY or ADD from the build context (not from another stage). */
export type ContextCopy = {
  line: number;
  sources: string[];
  destination: string;
};

export type DockerfileFacts = {
  /** The image of each FROM, in order. */
  baseImages: string[];
  copies: ContextCopy[];
  /** The last CMD in exec (JSON) form, if there is one. */
  cmd: string[] | undefined;
};

function jsonArguments(instruction: Instruction): string[] {
  return instruction instanceof JSONInstruction
    ? instruction.getJSONStrings().map(argument => argument.getJSONValue())
    : [];
}

/** What the tests need to know about a Dockerfile, read with dockerfile-ast. */
export function readDockerfile(text: string): DockerfileFacts {
  const dockerfile = DockerfileParser.parse(text);
  const copies: ContextCopy[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    if (!['COPY', 'ADD'].includes(instruction.getKeyword())) continue;
    const line = instruction.getRange().start.line + 1;
    const flags =
      instruction instanceof JSONInstruction ? instruction.getFlags() : [];
    if (flags.some(flag => flag.getName() === 'from')) continue;
    const json = jsonArguments(instruction);
    const args =
      json.length > 0
        ? json
        : instruction.getArguments().map(arg => arg.getValue());
    if (args.length < 2) {
      throw new Error(
        `line ${line}: ${instruction.getKeyword()} needs a source and a destination`,
      );
    }
    copies.push({
      line,
      sources: args.slice(0, -1),
      destination: args[args.length - 1],
    });
  }
  const cmds = dockerfile.getCMDs();
  const cmd = cmds.length > 0 ? jsonArguments(cmds[cmds.length - 1]) : [];
  return {
    baseImages: dockerfile.getFROMs().map(from => from.getImage() ?? ''),
    copies,
    cmd: cmd.length > 0 ? cmd : undefined,
  };
}
