/**
 * The start of a long text, cut at a size in UTF-8 bytes: what the job drawer and `opsdeck job` show of a
 * payload, which a client may send at nearly a megabyte. Drawing all of it stalled the drawer for seconds
 * and filled a terminal; the rest stays one click or one flag away.
 */
export interface TextPreview {
  /** The text, or its start: whole lines when the cut falls within a line of the text's last few. */
  shown: string;
  totalBytes: number;
  /** Bytes of the text not in `shown`; 0 when it is whole. */
  moreBytes: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** A cut goes back to the end of a line when one ends this close before it, so a pretty-printed value ends on a whole line. */
const LINE_SLACK = 1024;

export function previewText(text: string, maxBytes: number): TextPreview {
  const bytes = encoder.encode(text);
  if (bytes.length <= maxBytes) return { shown: text, totalBytes: bytes.length, moreBytes: 0 };
  let cut = maxBytes;
  // Never inside a character: back off the continuation bytes (10xxxxxx) of the one the limit splits.
  while (cut > 0 && ((bytes[cut] ?? 0) & 0xc0) === 0x80) cut--;
  const newline = bytes.lastIndexOf(0x0a, cut - 1);
  if (newline > 0 && cut - newline <= LINE_SLACK) cut = newline;
  return { shown: decoder.decode(bytes.subarray(0, cut)), totalBytes: bytes.length, moreBytes: bytes.length - cut };
}
