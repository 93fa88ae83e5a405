import { once } from 'node:events';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { z } from 'zod';
import type { IntegrityReport } from '../store.ts';
import { damaged, mapSqliteError } from './errors.ts';

/** Problems quick_check names at most: past the first few, more say nothing an operator acts on. */
const PROBLEMS_MOST = 10;

/**
 * The thread's whole program, plain CommonJS as checkpointer.ts's is: quick_check reads every page of the
 * file, seconds at hundreds of megabytes, and on the main thread it would hold the engine's lease
 * extensions and the console for as long. Read-only, on a connection of its own.
 */
const PROGRAM = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const rows = [];
let error = null;
try {
  const db = new Database(workerData.path, { readonly: true, fileMustExist: true, timeout: 5000 });
  try {
    // Row by row: a page too damaged to read stops the check with an error, after the problems it found.
    for (const row of db.prepare('PRAGMA quick_check(' + workerData.most + ')').raw().iterate()) rows.push(String(row[0]));
  } finally {
    db.close();
  }
} catch (thrown) {
  error = { code: String(thrown.code ?? ''), message: String(thrown.message) };
}
parentPort.postMessage({ rows, error });
`;

const Answer = z.object({ rows: z.array(z.string()), error: z.object({ code: z.string(), message: z.string() }).nullable() });

/**
 * `PRAGMA quick_check` of the file at `path`: every page's structure and every record's format, without
 * matching indexes to their tables (integrity_check does, several times slower). Damage it finds fails
 * the report, in the words a damaged file's error uses; one too damaged to read throws that error.
 */
export async function quickCheck(path: string): Promise<IntegrityReport> {
  const started = performance.now();
  const thread = new Worker(PROGRAM, { eval: true, workerData: { driver: createRequire(import.meta.url).resolve('better-sqlite3'), path, most: PROBLEMS_MOST } });
  const [message] = await once(thread, 'message');
  const answer = Answer.parse(message);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const { rows, error } = answer;
  const corrupt = error !== null && error.code.startsWith('SQLITE_CORRUPT');
  // Not damage it found: the file could not be opened or read at all (missing, locked, not SQLite).
  if (error !== null && !corrupt) throw mapSqliteError(new Database.SqliteError(error.message, error.code), path, false);
  if (!corrupt && rows.length === 1 && rows[0] === 'ok') {
    return { ok: true, warning: false, detail: `PRAGMA quick_check of ${path}: ok (every page read, ${seconds} s)` };
  }
  // One row may hold several problems, a line each, under a line naming the database.
  const lines = rows.flatMap((row) => row.split('\n')).filter((line) => line !== '' && line !== 'ok' && !line.startsWith('*** '));
  const problems = [...lines, ...(corrupt ? [`stopped: ${error.message}`] : [])];
  const found = `PRAGMA quick_check: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? `; ${problems.length - 3} more` : ''}`;
  return { ok: false, warning: false, detail: damaged(path, found).message };
}
