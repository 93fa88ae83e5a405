import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RUNTIME_STARTUP_MB, reservingRuntime } from './addressSpace.ts';
import { memoryExhaustion, type ProgramEnd } from './memoryExhaustion.ts';

const end = (over: Partial<ProgramEnd>): ProgramEnd => ({
  memoryMb: 256,
  program: '/usr/bin/python3',
  code: 1,
  signal: null,
  stderr: '',
  ranMs: 40,
  timedOut: false,
  bytesOut: 0,
  cpuMs: 20,
  ...over,
});

test("a runtime's own words for being refused memory, under a memory limit, name the limit and quote them", () => {
  const said: Array<[string, string]> = [
    ['\n#\n# Fatal process OOM in Failed to reserve virtual memory for CodeRange\n#\n\n', 'Fatal process OOM in Failed to reserve virtual memory for CodeRange'],
    ['\n\n#\n# Fatal process out of memory: SegmentedTable::InitializeTable (subspace allocation)\n#\n----- Native stack trace -----\n 1: 0x9f17a1', 'Fatal process out of memory: SegmentedTable::InitializeTable (subspace allocation)'],
    ['FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory', 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory'],
    ['cp: cannot create regular file: Cannot allocate memory', 'cp: cannot create regular file: Cannot allocate memory'],
    ["terminate called after throwing an instance of 'std::bad_alloc'", "terminate called after throwing an instance of 'std::bad_alloc'"],
    ['Traceback (most recent call last):\n  File "x.py", line 1\nMemoryError', 'MemoryError'],
    ['Exception in thread "main" java.lang.OutOfMemoryError: Java heap space', 'Exception in thread "main" java.lang.OutOfMemoryError: Java heap space'],
    ['Error occurred during initialization of VM\nCould not reserve enough space for object heap', 'Could not reserve enough space for object heap'],
    ['fatal error: runtime: out of memory\n\ngoroutine 1 [running]:', 'fatal error: runtime: out of memory'],
    ['runtime: out of memory: cannot allocate 4194304-byte block (3959422976 in use)\nfatal error: out of memory', 'runtime: out of memory: cannot allocate 4194304-byte block (3959422976 in use)'],
    ['numpy.core._exceptions._ArrayMemoryError: Unable to allocate 7.45 GiB for an array with shape (1000000000,)', 'numpy.core._exceptions._ArrayMemoryError: Unable to allocate 7.45 GiB for an array with shape (1000000000,)'],
    ['x.rb:1:in `*\': failed to allocate memory (NoMemoryError)', 'x.rb:1:in `*\': failed to allocate memory (NoMemoryError)'],
    ['Out of memory!', 'Out of memory!'],
    ['memory allocation of 1048576 bytes failed', 'memory allocation of 1048576 bytes failed'],
  ];
  for (const [stderr, quoted] of said) {
    assert.equal(memoryExhaustion(end({ stderr })), `resource limit exceeded: ran out of its memory limit of 256 MB (${quoted})`, stderr);
    assert.equal(memoryExhaustion(end({ stderr, code: null, signal: 'SIGTRAP' })), `resource limit exceeded: ran out of its memory limit of 256 MB (${quoted})`, 'killed by a signal too');
  }
});

test('without a memory limit nothing is memory exhaustion, whatever it says or whatever killed it', () => {
  assert.equal(memoryExhaustion(end({ memoryMb: undefined, stderr: 'MemoryError' })), null);
  assert.equal(memoryExhaustion(end({ memoryMb: undefined, code: null, signal: 'SIGKILL' })), null);
  assert.equal(memoryExhaustion(end({ memoryMb: undefined, program: '/usr/bin/node', code: null, signal: 'SIGSEGV' })), null);
});

test('a success is never memory exhaustion, nor another program\'s "out of memory", nor words merely logged', () => {
  assert.equal(memoryExhaustion(end({ code: 0, stderr: 'warning: MemoryError caught and handled' })), null);
  assert.equal(memoryExhaustion(end({ stderr: 'psql: ERROR: out of memory' })), null, "a server's out of memory is the server's");
  assert.equal(memoryExhaustion(end({ stderr: 'out of memory, says the log we print' })), null);
  assert.equal(memoryExhaustion(end({ stderr: 'WARN cache: MemoryError caught\nconnect ECONNREFUSED 10.0.0.5:5432' })), null, 'logged, then failed of something else');
  assert.equal(memoryExhaustion(end({ stderr: 'upstream said: java.lang.OutOfMemoryError: Java heap space' })), null, "the upstream's, quoted");
});

test('a SIGKILL is no evidence: under an address-space limit a program is refused memory, not killed', () => {
  assert.equal(memoryExhaustion(end({ code: null, signal: 'SIGKILL' })), null);
  assert.equal(memoryExhaustion(end({ memoryMb: 64, program: '/usr/bin/node', code: null, signal: 'SIGKILL' })), null);
});

test('a runtime that reserves address space, crashing as it starts under a limit below what it needs, ran out of it', () => {
  assert.equal(
    memoryExhaustion(end({ memoryMb: 64, program: '/usr/bin/node', code: null, signal: 'SIGSEGV' })),
    `resource limit exceeded: ran out of its memory limit of 64 MB (killed by SIGSEGV as it started: node needs about ${RUNTIME_STARTUP_MB} MB of address space to start)`,
  );
  assert.equal(memoryExhaustion(end({ memoryMb: 4096, program: '/usr/bin/node', code: null, signal: 'SIGSEGV' })), null, 'above what it needs: a crash of its own');
  assert.equal(memoryExhaustion(end({ memoryMb: 1200, program: '/usr/bin/node', code: null, signal: 'SIGSEGV', ranMs: 60_000 })), null, 'a minute in: a crash of its own');
  for (const signal of ['SIGTERM', 'SIGKILL', 'SIGXCPU', 'SIGINT']) {
    assert.equal(memoryExhaustion(end({ memoryMb: 64, program: '/usr/bin/node', code: null, signal })), null, `${signal} is no start-up crash`);
  }
  assert.equal(memoryExhaustion(end({ memoryMb: 64, program: '/usr/bin/node', code: 1 })), null, 'an exit code is its script');
  assert.equal(memoryExhaustion(end({ memoryMb: 64, program: '/usr/bin/perl', code: null, signal: 'SIGSEGV' })), null, 'perl reserves nothing ahead');
});

test("the JVM's reason for failing to start, when it is memory, its heap or its threads, is the evidence; a bad option is not", () => {
  const g1 = [
    '[0.010s][warning][os,thread] Failed to start thread "G1 Service" - pthread_create failed (EAGAIN) for attributes: stacksize: 1024k, guardsize: 4k, detached.',
    'Error occurred during initialization of VM',
    'Could not create G1ServiceThread',
    'Error: Could not create the Java Virtual Machine.',
  ].join('\n');
  const java = { program: '/usr/bin/java', memoryMb: 1024 };
  assert.equal(memoryExhaustion(end({ ...java, stderr: g1 })), 'resource limit exceeded: ran out of its memory limit of 1024 MB (Could not create G1ServiceThread)');
  assert.equal(
    memoryExhaustion(end({ ...java, memoryMb: 2048, stderr: 'Error occurred during initialization of VM\nCould not allocate compressed class space: 1073741824 bytes' })),
    'resource limit exceeded: ran out of its memory limit of 2048 MB (Could not allocate compressed class space: 1073741824 bytes)',
  );
  assert.equal(
    memoryExhaustion(end({ ...java, stderr: 'Error occurred during initialization of VM\nFailed to allocate initial concurrent mark overflow mark stack.' })),
    'resource limit exceeded: ran out of its memory limit of 1024 MB (Failed to allocate initial concurrent mark overflow mark stack.)',
  );
  assert.equal(memoryExhaustion(end({ ...java, stderr: 'Invalid maximum heap size: -Xmxfoo\nError: Could not create the Java Virtual Machine.' })), null, 'a bad option');
  assert.equal(memoryExhaustion(end({ ...java, stderr: 'Error occurred during initialization of VM\njava/lang/NoClassDefFoundError: java/lang/Object' })), null, 'a broken JDK');
});

test('a runtime under a limit below what it needs, timing out without output or CPU, hung as it started', () => {
  const hung = { memoryMb: 128, program: '/usr/bin/node', code: null, signal: 'SIGTERM', ranMs: 30_000, timedOut: true, bytesOut: 0, cpuMs: 0 };
  assert.equal(
    memoryExhaustion(end(hung)),
    `resource limit exceeded: ran out of its memory limit of 128 MB (hung as it started, no output and 0 ms of CPU before its timeout: node needs about ${RUNTIME_STARTUP_MB} MB of address space to start)`,
  );
  assert.equal(memoryExhaustion(end({ ...hung, bytesOut: 12 })), null, 'it wrote something: it started, and its timeout is its own');
  assert.equal(memoryExhaustion(end({ ...hung, cpuMs: 4000 })), null, 'it worked for its time');
  assert.equal(memoryExhaustion(end({ ...hung, cpuMs: undefined })), null, 'unmeasured: no evidence');
  assert.equal(memoryExhaustion(end({ ...hung, memoryMb: 4096 })), null, 'enough to start: a hang of its own');
  assert.equal(memoryExhaustion(end({ ...hung, program: '/bin/sleep' })), null, 'a program that reserves nothing ahead');
  assert.equal(
    memoryExhaustion(end({ ...hung, program: '/usr/bin/python3', stderr: 'MemoryError', bytesOut: 12, cpuMs: 30_000 })),
    null,
    'a program that timed out is not judged by what it said before: its timeout ended it',
  );
});

test('runtimes are known by the name of the program, not by what it runs', () => {
  assert.deepEqual(
    ['/usr/bin/node', '/usr/local/bin/deno', '/opt/bun/bin/bun', '/usr/lib/jvm/bin/java', '/usr/bin/dotnet', '/usr/bin/nodejs'].map(reservingRuntime),
    ['node', 'deno', 'bun', 'java', 'dotnet', 'nodejs'],
  );
  assert.deepEqual(['/usr/bin/python3', '/bin/sh', '/usr/bin/nodemon', '/opt/node/bin/npm'].map(reservingRuntime), [null, null, null, null]);
});
