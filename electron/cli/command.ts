import type { OptionSpec, ParsedArgs } from './args.ts';
import type { Io } from './output.ts';

export interface Invocation extends ParsedArgs {
  io: Io;
}

/** One `opsdeck` command: its help text and what it does. `run` returns the exit code. */
export interface Command {
  name: string;
  summary: string;
  /** The arguments after the command name, e.g. `SERVICE [--payload JSON]`. */
  usage: string;
  /** More lines for --help: subcommands, examples. */
  details?: string;
  options: OptionSpec;
  /** Opens no store (reads a file, a registry): nothing is said about where the store is. */
  storeless?: true;
  run(inv: Invocation): Promise<number>;
}

/** A failure the command reports as one line with its exit code (1: failed, not found; 2: usage). */
export class CliFailure extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'CliFailure';
    this.exitCode = exitCode;
  }
}
