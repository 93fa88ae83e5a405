import { RUNTIME_STARTUP_MB, reservingRuntime } from './addressSpace.ts';
import { shortened } from './outputTail.ts';

/**
 * How runtimes and libc say this process was refused memory (V8 and Node, glibc's ENOMEM, C++, Python,
 * Perl, Java, Go, Ruby, Rust): their own words, not any error that mentions memory (a server's "out of
 * memory" is about the server, not this process).
 */
const ALLOCATION_FAILED = new RegExp(
  [
    'Fatal process (?:OOM|out of memory)',
    'Failed to reserve virtual memory',
    'JavaScript heap out of memory',
    'Cannot allocate memory',
    'std::bad_alloc',
    'MemoryError', // Python's MemoryError, Ruby's NoMemoryError
    'OutOfMemoryError',
    'Could not reserve enough space',
    'runtime: out of memory',
    '^Out of memory!', // Perl
    'memory allocation of \\d+ bytes failed', // Rust
  ].join('|'),
);

/** How a program under a shell service ended, as far as memory exhaustion is concerned. */
export interface ProgramEnd {
  /** The memory limit it ran under, in MB; undefined when none was applied. */
  memoryMb: number | undefined;
  /** The program started (command[0]). */
  program: string;
  code: number | null;
  /** The signal that ended it; the caller has already set aside the runner's own kills (timeout, cancel). */
  signal: string | null;
  /** The tail of its stderr. */
  stderr: string;
  /** The CPU limit it ran under and the CPU time it used: the kernel's SIGKILL at the CPU hard limit is the CPU's. */
  cpuSeconds?: number | undefined;
  cpuMs?: number | undefined;
}

/**
 * The failure message of a program that ran out of its memory limit, naming the limit and the evidence;
 * null when nothing says it did. Evidence is the runtime's own words on stderr, a SIGKILL nobody in opsdeck
 * sent (the kernel's out-of-memory killer), or a crash of a runtime whose limit is below what it reserves
 * to start. Without a memory limit there is none: the same words then speak of something else. The message
 * says "resource limit exceeded", which the runbooks' LIKE '%resource%' finds.
 */
export function memoryExhaustion(end: ProgramEnd): string | null {
  if (end.memoryMb === undefined) return null;
  const evidence = evidenceOf({ ...end, memoryMb: end.memoryMb });
  return evidence === null ? null : `resource limit exceeded: ran out of its memory limit of ${end.memoryMb} MB (${evidence})`;
}

function evidenceOf(end: ProgramEnd & { memoryMb: number }): string | null {
  if (end.code === 0 && end.signal === null) return null;
  const said = end.stderr.split(/\r?\n/).find((line) => ALLOCATION_FAILED.test(line.trim()));
  // V8 frames its fatal errors in lines of '#': the words, not the frame.
  if (said !== undefined) return shortened(said.trim().replace(/^[#\s]+/, ''));
  if (end.signal === 'SIGKILL' && !cpuLimitReached(end)) return "killed by SIGKILL, as the kernel's out-of-memory killer does";
  const runtime = reservingRuntime(end.program);
  if (end.signal !== null && runtime !== null && end.memoryMb < RUNTIME_STARTUP_MB) {
    return `killed by ${end.signal}: ${runtime} needs about ${RUNTIME_STARTUP_MB} MB of address space to start`;
  }
  return null;
}

/** A CPU limit's hard stop is a SIGKILL too; without the CPU time used, it may have been. */
function cpuLimitReached(end: ProgramEnd): boolean {
  if (end.cpuSeconds === undefined) return false;
  return end.cpuMs === undefined || end.cpuMs >= end.cpuSeconds * 1000;
}
