import { writeFile } from 'node:fs/promises';
import { functionDefinitions } from '../electron/store/postgres/functionDefinitions.ts';
import { openPostgresStore } from '../electron/store/postgres/open.ts';
import { createTestDatabase } from '../electron/store/testing/pgTestDb.ts';

/** `npm run pg:functions`: writes electron/store/postgres/functions.sql from a freshly migrated database. */
const db = await createTestDatabase();
try {
  await (await openPostgresStore(db.url, { poolSize: 1 })).close();
  const target = new URL('../electron/store/postgres/functions.sql', import.meta.url);
  await writeFile(target, await functionDefinitions(db.url));
  console.log(`wrote ${target.pathname}`);
} finally {
  await db.drop();
}
