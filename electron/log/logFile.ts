import { open } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createStream, type RotatingFileStream } from 'rotating-file-stream';
import { userDataDir } from '../store/location.ts';

export const LOG_FILE_NAME = 'opsdeck.log';

/**
 * Where the other hosts log, which is not this file: said wherever the file is shown or sent (`opsdeck
 * logs`, a support bundle), since the runbook's "check the logs first" is most often about a worker's.
 */
export const OTHER_HOSTS_LOGS =
  'a worker (opsdeck worker) logs on its stdout, opsdeck serve and opsdeck api on their stderr: their terminal, or the journal under systemd (journalctl -u opsdeck-worker)';

/** Where the desktop app writes its log: `logs/` in opsdeck's per-user data directory. */
export function logDirectory(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return join(userDataDir({ ...env }, process.platform, homedir()), 'logs');
}

/**
 * The desktop's log file: JSON lines in `dir/opsdeck.log`, moved to `opsdeck.log.1` (and older ones
 * along) past 10 MB, five kept, so a month of debug logging never fills a laptop's disk.
 */
export function rotatingLogFile(dir: string): RotatingFileStream {
  return createStream((time: number | Date | null, index?: number) => (time === null ? LOG_FILE_NAME : `${LOG_FILE_NAME}.${index ?? 1}`), {
    path: dir,
    size: '10M',
    maxFiles: 5,
    mode: 0o600,
  });
}

/** The last `maxBytes` of the current log file, from the first whole line; null when there is none. */
export async function logTail(dir: string, maxBytes = 256 * 1024): Promise<string | null> {
  return (await logTailAt(join(dir, LOG_FILE_NAME), maxBytes))?.text ?? null;
}

/**
 * A log file's last whole lines, and the byte just after them in which file: where following it goes on
 * from. A line still being written is left out of the text, and left to the follower to read whole.
 */
export interface LogEnd {
  text: string;
  end: number;
  ino: number;
}

export async function logTailAt(file: string, maxBytes: number): Promise<LogEnd | null> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return null;
  }
  try {
    // Size and content from one handle: a rotation meanwhile cannot mix two files.
    const { size, ino } = await handle.stat();
    const start = Math.max(0, size - maxBytes);
    const buffer = Buffer.alloc(size - start);
    await handle.read(buffer, 0, buffer.length, start);
    const whole = buffer.subarray(0, buffer.lastIndexOf(0x0a) + 1);
    const text = whole.toString('utf8');
    return { text: start === 0 ? text : text.slice(text.indexOf('\n') + 1), end: start + whole.length, ino };
  } finally {
    await handle.close();
  }
}
