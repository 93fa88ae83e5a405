import { ALIASES, expandAlias, hintFor } from './aliases.ts';
import { COMMON_OPTIONS, parseCommandArgs, UsageError } from './args.ts';
import { CliFailure, type Command } from './command.ts';
import { guessCommand } from './commandGuess.ts';
import { COMMAND_NAMES, loadCommand, loadCommands, READING_COMMANDS } from './commands/index.ts';
import { databaseUrlNotice } from './databaseUrl.ts';
import { commandHelp, mainHelp } from './help.ts';
import { processIo, setDisplayZone, type Io } from './output.ts';
import { OPSDECK_VERSION } from '../api/version.ts';

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/**
 * `opsdeck --db URL status` as `opsdeck status --db URL`: the common options (COMMON_OPTIONS) may come
 * before the command, as many command lines take them.
 */
function commandFirst(typed: string[]): string[] {
  let i = 0;
  while (i < typed.length) {
    const word = typed[i] ?? '';
    const [flag = '', inline] = word.split(/=(.*)/s, 2);
    const option = flag.startsWith('--') ? COMMON_OPTIONS[flag.slice(2)] : undefined;
    if (option === undefined) break;
    i += option.type === 'string' && inline === undefined ? 2 : 1;
  }
  if (i === 0 || i >= typed.length) return typed;
  return [typed[i] ?? '', ...typed.slice(0, i), ...typed.slice(i + 1)];
}

/** The runbooks' aliases of commands that read: those a mistyped word may be guessed to be. */
function readingAliases(): string[] {
  return Object.entries(ALIASES).filter(([, alias]) => READING_COMMANDS.includes(alias.to[0] ?? '')).map(([word]) => word);
}

/** A name that is no command, typed as one or after help: the command it likely meant, and exit 2. */
function unknownCommand(name: string, io: Io): number {
  const hint = hintFor(name);
  if (hint !== undefined) {
    io.err(`opsdeck: there is no "${name}" command here: ${hint}`);
    return 2;
  }
  if (name.startsWith('-')) {
    const common = COMMON_OPTIONS[name.slice(2).split('=')[0] ?? ''] !== undefined;
    io.err(
      common
        ? `opsdeck: no command given, only ${name}: opsdeck COMMAND [options]; run opsdeck --help for the list`
        : `opsdeck: the command comes first, then its options ("${name}" is none of the common ones): opsdeck COMMAND [options]; run opsdeck --help for the list`,
    );
    return 2;
  }
  const guess = COMMAND_NAMES.find((known) => known === name.toLowerCase()) ?? guessCommand(name, READING_COMMANDS, readingAliases());
  io.err(`opsdeck: unknown command "${name}"; ${guess ? `did you mean "${guess}"? ` : ''}run opsdeck --help for the list`);
  return 2;
}

/** Runs one command line and returns the exit code; every failure is one line on stderr, never a stack. */
export async function runCli(typed: string[], io: Io = processIo()): Promise<number> {
  const argv = expandAlias(commandFirst(typed));
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.err(mainHelp(await loadCommands()));
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    const asked = rest[0];
    if (asked === undefined) {
      io.out(mainHelp(await loadCommands()));
      return 0;
    }
    // A runbook's alias has its command's help; anything else is answered as the command itself would be.
    const [topicName] = expandAlias([asked]);
    const topic = topicName === undefined ? undefined : await loadCommand(topicName);
    if (!topic) return unknownCommand(asked, io);
    io.out(commandHelp(topic));
    return 0;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    io.out(`opsdeck ${OPSDECK_VERSION} (node ${process.versions.node})`);
    return 0;
  }
  const command: Command | undefined = await loadCommand(name);
  if (!command) return unknownCommand(name, io);
  try {
    const args = parseCommandArgs(rest, command.options, io.env);
    setDisplayZone(args.common.utc ? 'UTC' : io.env.TZ || undefined);
    if (args.common.help) {
      io.out(commandHelp(command));
      return 0;
    }
    const notice = command.storeless ? null : databaseUrlNotice(args.common.db, io.env);
    if (notice) io.err(`opsdeck: warning: ${notice}`);
    return await command.run({ ...args, io });
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`opsdeck: ${oneLine(error.message)}; see opsdeck ${command.name} --help`);
      return 2;
    }
    if (error instanceof CliFailure) {
      io.err(`opsdeck: ${oneLine(error.message)}`);
      return error.exitCode;
    }
    io.err(`opsdeck: ${oneLine(error instanceof Error ? error.message : String(error)) || 'failed'}`);
    return 1;
  }
}

const code = await runCli(process.argv.slice(2));
// Drivers may keep timers alive for a moment after close: the command is done, so is the process.
process.stdout.write('', () => process.exit(code));
