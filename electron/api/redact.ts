import { redactUrl, REDACTED } from '../config/secrets.ts';

/** The password of a connection URL, raw and decoded, so it can be cut out of any message. */
function urlSecrets(url: string): string[] {
  try {
    const password = new URL(url).password;
    if (!password) return [];
    let decoded = password;
    try {
      decoded = decodeURIComponent(password);
    } catch {
      // keep the raw form only
    }
    return [...new Set([password, decoded])];
  } catch {
    return [];
  }
}

/** A message about a store URL that never repeats its password, whatever the driver put in it. */
export function withoutPassword(message: string, url: string): string {
  let out = redactUrl(message);
  for (const secret of urlSecrets(url)) out = out.split(secret).join(REDACTED);
  return out;
}
