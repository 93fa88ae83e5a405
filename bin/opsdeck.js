#!/usr/bin/env node
// Plain JavaScript without newer syntax on purpose: it must run on an old Node to say which Node opsdeck needs.
import { nodeTooOld } from '../scripts/needsNode.js';

const tooOld = nodeTooOld(process.versions.node);
if (tooOld) {
  process.stderr.write(tooOld);
  process.exit(1);
} else {
  startWithSmallYoungGeneration();
  import('node:module')
    .then((mod) => {
      // Compiled code (and stripped types) are cached between runs: a CLI starts many times a day.
      if (typeof mod.enableCompileCache === 'function') mod.enableCompileCache();
      return import('../electron/cli/main.ts');
    })
    .catch((error) => {
      process.stderr.write('opsdeck: ' + (error && error.message ? error.message.split('\n')[0] : String(error)) + '\n');
      process.exit(1);
    });
}

/**
 * A worker or browser host runs for weeks: with V8's young generation at 8 MB instead of its default it
 * stays near 200 MB resident through a million jobs instead of 300, at the same throughput (README,
 * "Workers on servers"). V8 takes the size only at start, so the launcher becomes Node again with the flag,
 * in this same process (execve: the pid a supervisor watches stays the same), unless the operator gave a
 * size of their own. Where execve is missing (Windows) the command runs as it is.
 */
function startWithSmallYoungGeneration() {
  const command = commandWord(process.argv.slice(2));
  if (command !== 'worker' && command !== 'process-jobs' && command !== 'serve') return;
  if (typeof process.execve !== 'function') return;
  const given = process.execArgv.concat((process.env.NODE_OPTIONS || '').split(/\s+/));
  if (given.some((flag) => flag.indexOf('--max-semi-space-size') === 0)) return;
  const argv = [process.execPath].concat(process.execArgv, ['--max-semi-space-size=8'], process.argv.slice(1));
  try {
    process.execve(process.execPath, argv, process.env);
  } catch (error) {
    // The command still works with Node's default size; say why the memory is higher.
    process.stderr.write('opsdeck: could not restart Node with a small young generation: ' + (error && error.message ? error.message : String(error)) + '\n');
  }
}

/**
 * The command, past the common options that may come before it (`opsdeck --db URL worker`); the CLI reads
 * them the same way (electron/cli/main.ts, commandFirst), which this file cannot import on an old Node.
 */
function commandWord(args) {
  let i = 0;
  while (i < args.length) {
    const word = args[i];
    if (word === '--db' || word === '--registry') i += 2;
    else if (/^--(json|utc|help)(=|$)|^--(db|registry)=/.test(word)) i += 1;
    else break;
  }
  return args[i];
}
