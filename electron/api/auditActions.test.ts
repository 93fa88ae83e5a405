import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AUDIT_ACTIONS } from '../../shared/auditActions.ts';
import { calls, events } from '../../shared/contract.ts';

const ELECTRON = fileURLToPath(new URL('..', import.meta.url));

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'testing') out.push(...(await sources(full)));
    else if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

test("the console's audit filter lists every action the code writes", async () => {
  // Action names are nouns of what changed, dotted: queue.pause, job.fail. Call and event names look alike
  // (jobs.fail, alert.changed) and are left out; the breaker's modes are written as breaker.<mode>.
  const shaped = /'((?:control|queue|breaker|rate_limit|dlq|job|workflow|schedule|alert|api_key|registry|retention|settings|support|demo|worker)\.(?!yaml')[a-z_]+)'/g;
  const notActions = new Set<string>([...Object.keys(calls), ...Object.keys(events)].filter((name) => !(AUDIT_ACTIONS as readonly string[]).includes(name)));
  const written = new Set<string>();
  for (const file of await sources(ELECTRON)) {
    for (const [, name] of (await readFile(file, 'utf8')).matchAll(shaped)) if (name && !notActions.has(name)) written.add(name);
  }
  const missing = [...written].filter((name) => !(AUDIT_ACTIONS as readonly string[]).includes(name));
  assert.deepEqual(missing, [], 'add them to shared/auditActions.ts');
  assert.ok(written.size >= 30, `found ${written.size} actions: the pattern still finds them`);
});
