import { open, stat, type FileHandle } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { setTimeout as sleep } from 'node:timers/promises';

/** How often the file is looked at: new lines show within this, and an idle follow costs one stat. */
const POLL_MS = 250;
const CHUNK_BYTES = 64 * 1024;

export interface FollowOptions {
  file: string;
  /** Where the tail already shown ended, in which file; null: from the start of whatever file there is. */
  from: { end: number; ino: number } | null;
  /** Text appended to the file, in order, as it is read (lines may be cut: LineBuffer makes them whole). */
  onText(text: string): void;
  /** Following stops when this aborts (Ctrl-C). */
  signal: AbortSignal;
}

interface Open {
  handle: FileHandle;
  ino: number;
  offset: number;
  decoder: StringDecoder;
}

/** Everything written to the open file past `offset`, up to its end now. */
async function drain(file: Open, onText: (text: string) => void): Promise<void> {
  const buffer = Buffer.alloc(CHUNK_BYTES);
  for (;;) {
    const { bytesRead } = await file.handle.read(buffer, 0, buffer.length, file.offset);
    if (bytesRead === 0) return;
    file.offset += bytesRead;
    // The decoder keeps a character cut between two reads until its other bytes come.
    const text = file.decoder.write(buffer.subarray(0, bytesRead));
    if (text !== '') onText(text);
  }
}

async function openAt(path: string, ino: number, offset: number): Promise<Open | null> {
  try {
    return { handle: await open(path, 'r'), ino, offset, decoder: new StringDecoder('utf8') };
  } catch {
    return null;
  }
}

/**
 * `tail -F` for the desktop's log file: what is appended, as it is appended, until `signal` aborts. The
 * logger rotates the file at 10 MB (opsdeck.log becomes opsdeck.log.1 and a new opsdeck.log starts): the
 * open handle still reads the old file, so its last lines are read to its end before the new file is
 * followed from its start. A file not there yet is waited for; one cut short in place is read again from
 * its start.
 */
export async function followLog(opts: FollowOptions): Promise<void> {
  const { file: path, signal, onText } = opts;
  let current: Open | null = null;
  // Only the file the tail was read from goes on from where it ended; any file after it is new from its start.
  let from = opts.from;
  try {
    while (!signal.aborted) {
      const now = await stat(path).catch(() => null);
      if (now !== null && (current === null || now.ino !== current.ino)) {
        if (current !== null) {
          await drain(current, onText);
          await current.handle.close();
        }
        const resume = from !== null && from.ino === now.ino ? Math.min(from.end, now.size) : 0;
        from = null;
        current = await openAt(path, now.ino, resume);
      } else if (current !== null && now !== null && now.size < current.offset) {
        current.offset = 0;
      }
      if (current !== null) await drain(current, onText);
      await sleep(POLL_MS, undefined, { signal }).catch(() => undefined);
    }
  } finally {
    await current?.handle.close();
  }
}
