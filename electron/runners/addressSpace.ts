import path from 'node:path';

/**
 * The smallest memory_mb a runtime that reserves its address space up front should be given. A shell
 * service's memory_mb is an address-space cap (prlimit --as, RLIMIT_AS), not a cap on resident memory, and
 * these runtimes reserve far more address space than they touch before running a line: V8's code range and
 * pointer-compression cage, the JVM's heap and class space. Measured on x86-64 Linux with
 * `prlimit --as=N node -e 0`: Node 24 starts from 1118 MB (1218 MB with --v8-pool-size=16), Node 20 from
 * 712 MB; below that it dies at start (SIGTRAP, SIGABRT, SIGSEGV, or hangs). 1536 MB leaves headroom for
 * more threads and later versions. The JVM's default heap follows the machine's memory (Java 17 on 24 GB
 * needed 4032 MB), so for it this is a floor, not a promise.
 */
export const RUNTIME_STARTUP_MB = 1536;

/** Programs known to reserve large address space as they start, by the name they are installed under. */
const RESERVING_RUNTIMES = new Set(['node', 'nodejs', 'deno', 'bun', 'java', 'dotnet']);

/**
 * The runtime a command starts, when it is one of those, by its program's name (the command's first word
 * or its basename). A Go binary reserves address space too, but nothing in its name says it is one.
 */
export function reservingRuntime(program: string): string | null {
  const name = path.basename(program);
  return RESERVING_RUNTIMES.has(name) ? name : null;
}
