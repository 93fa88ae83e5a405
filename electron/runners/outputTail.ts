/**
 * Keeps the last `cap` bytes of a stream: the end of a job's output is where its error is, and a job that
 * prints gigabytes must not take the worker's memory with it.
 */
export class OutputTail {
  readonly cap: number;
  #chunks: Buffer[] = [];
  #held = 0;
  #total = 0;

  constructor(cap: number) {
    this.cap = Math.max(1, cap);
  }

  push(chunk: Buffer | string): void {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    this.#total += buf.length;
    this.#chunks.push(buf.length > this.cap ? buf.subarray(buf.length - this.cap) : buf);
    this.#held += Math.min(buf.length, this.cap);
    while (this.#held > this.cap && this.#chunks.length > 1) {
      const first = this.#chunks[0];
      if (!first) break;
      const excess = this.#held - this.cap;
      if (first.length <= excess) {
        this.#chunks.shift();
        this.#held -= first.length;
      } else {
        this.#chunks[0] = first.subarray(excess);
        this.#held -= excess;
      }
    }
  }

  /** Bytes seen in total, kept or not. */
  get totalBytes(): number {
    return this.#total;
  }

  get truncated(): boolean {
    return this.#total > this.#held;
  }

  /** The kept tail as text; a character cut in half at the start is dropped rather than garbled. */
  text(): string {
    let buf = Buffer.concat(this.#chunks);
    if (this.truncated) {
      let skip = 0;
      // UTF-8 continuation bytes (10xxxxxx) cannot start a character.
      while (skip < buf.length && skip < 4 && ((buf[skip] ?? 0) & 0xc0) === 0x80) skip++;
      buf = buf.subarray(skip);
    }
    return buf.toString('utf8');
  }
}

/**
 * The last line of some text that says something, shortened: what an error message quotes from stderr.
 * A line without a letter or digit says nothing (V8 frames its fatal errors in lines of '#').
 */
export function lastLine(text: string, max = 300): string {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => /[\p{L}\p{N}]/u.test(l));
  return shortened(lines[lines.length - 1] ?? '', max);
}

/** A line cut to `max` characters, marked where it was cut. */
export function shortened(line: string, max = 300): string {
  return line.length > max ? `${line.slice(0, max)}…` : line;
}
