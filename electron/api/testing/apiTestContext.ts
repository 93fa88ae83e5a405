import { RegistryHolder } from '../../config/holder.ts';
import { openPostgresStore } from '../../store/postgres/open.ts';
import { createTestDatabase } from '../../store/testing/pgTestDb.ts';
import { createSqliteTestStore } from '../../store/testing/sqliteTestDb.ts';
import type { Store } from '../../store/store.ts';
import type { ApiContext } from '../context.ts';
import { CONSOLE_WORDS } from '../interfaceWords.ts';

export interface TestContext {
  ctx: ApiContext;
  store: Store;
  /** Where the store is: its SQLite file, or its PostgreSQL database's URL, for a test to reach it another way. */
  location: string;
  /** Enqueues `count` jobs of a service and dead-letters them with `message` (one fingerprint per message). */
  deadLetters(service: string, count: number, message: string): Promise<number[]>;
  auditCount(): Promise<number>;
  cleanup(): Promise<void>;
}

/** How long a PostgreSQL store waits for a read's answer, when a test needs it shorter than the default's 30 s. */
export interface TestStoreOptions {
  readAnswerMs?: number;
}

/** A fresh store of either dialect, and how to close it and remove what it leaves. */
async function freshStore(dialect: 'sqlite' | 'postgres', options: TestStoreOptions): Promise<{ store: Store; location: string; cleanup(): Promise<void> }> {
  if (dialect === 'sqlite') {
    const sqlite = await createSqliteTestStore();
    return { ...sqlite, location: sqlite.path };
  }
  const database = await createTestDatabase({ migrated: true });
  const store = await openPostgresStore(database.url, options);
  return {
    store,
    location: database.url,
    async cleanup() {
      await store.close();
      await database.drop();
    },
  };
}

/** A handler context on a fresh store (SQLite unless asked), with a registry from YAML text when given. */
export async function createTestContext(registryYaml?: string, dialect: 'sqlite' | 'postgres' = 'sqlite', options: TestStoreOptions = {}): Promise<TestContext> {
  const db = await freshStore(dialect, options);
  const registry = new RegistryHolder({});
  if (registryYaml !== undefined) {
    const loaded = registry.loadText(registryYaml, 'test-registry.yaml');
    if (!loaded.ok) throw new Error(`test registry does not load: ${JSON.stringify(loaded.problems)}`);
  }
  const ctx: ApiContext = {
    store: db.store,
    registry,
    engine: null,
    actor: { user: 'tester', host: 'test-host' },
    env: {},
    settings: { localExecution: false },
    words: CONSOLE_WORDS,
    runners: new Map(),
  };
  let seq = 0;
  return {
    ctx,
    store: db.store,
    location: db.location,
    async deadLetters(service, count, message) {
      seq += 1;
      const queue = `dl-${seq}`;
      const jobs = Array.from({ length: count }, () => ({ queue, service_name: service, execution_type: 'noop' as const, max_attempts: 1 }));
      await db.store.enqueue(jobs);
      const claimed = await db.store.claim({ workerId: 'test-worker', limit: count, leaseMs: 60_000, queues: [queue] });
      await db.store.settle(
        claimed.map((c) => ({
          jobId: c.id,
          attemptId: c.attempt_id,
          workerId: 'test-worker',
          kind: 'failed' as const,
          outcome: 'failed' as const,
          error: { message, error_class: 'test', fingerprint: `fp-${service}-${message.length}` },
        })),
      );
      return claimed.map((c) => c.id);
    },
    async auditCount() {
      let n = 0;
      let after: string | null = null;
      do {
        const page = await db.store.listAudit({}, { limit: 500, after });
        n += page.items.length;
        after = page.next_cursor;
      } while (after);
      return n;
    },
    cleanup: () => db.cleanup(),
  };
}
