import { redactUrl, REDACTED } from '../config/secrets.ts';
import { urlPasswords } from '../store/location.ts';

/** A message about a store URL that never repeats its password, whatever the driver put in it. */
export function withoutPassword(message: string, url: string): string {
  let out = redactUrl(message);
  for (const secret of urlPasswords(url)) out = out.split(secret).join(REDACTED);
  return out;
}
