import { RUNTIME_STARTUP_MB, reservingRuntime } from './addressSpace.ts';
import { shortened } from './outputTail.ts';

/**
 * How runtimes and libc say this process was refused memory (V8 and Node, glibc's ENOMEM, C++, Python,
 * Perl, Java, Go, Ruby, Rust): their own words where they write them, at the start of their own line (or
 * at its end, for glibc's), not any line that mentions memory: a program that logs an upstream's
 * "MemoryError" or "java.lang.OutOfMemoryError" did not run out of its own.
 */
const ALLOCATION_FAILED = new RegExp(
  [
    '^#?\\s*Fatal process (?:OOM|out of memory)', // V8, framed in lines of '#'
    '^FATAL ERROR: .*JavaScript heap out of memory',
    ': Cannot allocate memory$', // glibc's strerror(ENOMEM) after what failed
    "^terminate called after throwing an instance of 'std::bad_alloc'",
    '^(?:[\\w.]+\\.)?_?(?:Array)?MemoryError\\b', // Python's last line, numpy's _ArrayMemoryError too
    '\\(NoMemoryError\\)$', // Ruby
    '^(?:Exception in thread "[^"]*" )?java\\.lang\\.OutOfMemoryError\\b',
    '^Could not reserve enough space for', // the JVM, refused its heap at start
    '^Could not allocate compressed class space', // the JVM, refused its class space at start
    '^fatal error: (?:runtime: )?out of memory', // Go: a failed heap growth ends in "fatal error: out of memory"
    '^runtime: out of memory:',
    '^Out of memory!', // Perl
    '^memory allocation of \\d+ bytes failed', // Rust
  ].join('|'),
);

/** How a runtime that cannot reserve its address space dies as it starts; not SIGTERM, SIGKILL or SIGXCPU. */
const START_CRASHES = new Set(['SIGTRAP', 'SIGSEGV', 'SIGABRT', 'SIGBUS']);
/** A runtime refused its address space dies as it starts; a crash after this long is a crash of its own. */
const START_CRASH_WITHIN_MS = 5000;
/**
 * The JVM's reason under "Error occurred during initialization of VM" when it could not get memory, its
 * heap or its own threads (whose stacks are address space too): not a bad option or a broken JDK.
 */
const JVM_START_REFUSED = /^(?:Could not (?:reserve|allocate|create) |Failed to allocate |(?:java\.lang\.)?OutOfMemoryError\b)/;
/**
 * Node under a limit far below what it reserves can deadlock as it starts (Node 24 under 128 MB waits on
 * its own threads for ever): a run that timed out having written nothing and spent no more CPU than this.
 */
const IDLE_START_CPU_MS = 100;

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
  /** How long it ran. */
  ranMs: number;
  /** It ran until its timeout and was stopped. */
  timedOut: boolean;
  /** Bytes it wrote to stdout and stderr. */
  bytesOut: number;
  /** Its CPU time, user and system, when GNU time measured it. */
  cpuMs: number | undefined;
}

/**
 * The failure message of a program that ran out of its memory limit, naming the limit and the evidence;
 * null when nothing says it did. Evidence is the runtime's own words on stderr (the JVM's reason for failing
 * to start among them), or a runtime whose limit is below what it reserves to start crashing as it starts,
 * or timing out without a byte of output or any CPU to speak of. A SIGKILL is none: under an address-space limit a
 * program is refused memory, not killed, and a SIGKILL comes from elsewhere (the host's memory pressure, an
 * operator), so it stays a retryable signal. Without a memory limit there is no evidence: the same words
 * then speak of something else. The message says "resource limit exceeded", which the runbooks'
 * LIKE '%resource%' finds.
 */
export function memoryExhaustion(end: ProgramEnd): string | null {
  if (end.memoryMb === undefined) return null;
  const evidence = evidenceOf({ ...end, memoryMb: end.memoryMb });
  return evidence === null ? null : `resource limit exceeded: ran out of its memory limit of ${end.memoryMb} MB (${evidence})`;
}

function evidenceOf(end: ProgramEnd & { memoryMb: number }): string | null {
  const runtime = reservingRuntime(end.program);
  const belowStartup = runtime !== null && end.memoryMb < RUNTIME_STARTUP_MB;
  if (end.timedOut) {
    const idle = end.bytesOut === 0 && end.cpuMs !== undefined && end.cpuMs < IDLE_START_CPU_MS;
    return belowStartup && idle
      ? `hung as it started, no output and ${end.cpuMs} ms of CPU before its timeout: ${runtime} needs about ${RUNTIME_STARTUP_MB} MB of address space to start`
      : null;
  }
  if (end.code === 0 && end.signal === null) return null;
  const lines = end.stderr.split(/\r?\n/).map((line) => line.trim());
  const vmError = lines.indexOf('Error occurred during initialization of VM');
  const jvmReason = vmError >= 0 ? lines[vmError + 1] : undefined;
  if (jvmReason !== undefined && JVM_START_REFUSED.test(jvmReason)) return shortened(jvmReason);
  const said = lines.find((line) => ALLOCATION_FAILED.test(line));
  // V8 frames its fatal errors in lines of '#': the words, not the frame.
  if (said !== undefined) return shortened(said.replace(/^[#\s]+/, ''));
  if (end.signal !== null && START_CRASHES.has(end.signal) && belowStartup && end.ranMs < START_CRASH_WITHIN_MS) {
    return `killed by ${end.signal} as it started: ${runtime} needs about ${RUNTIME_STARTUP_MB} MB of address space to start`;
  }
  return null;
}
