import { hostname } from 'node:os';
import type { Actor, JsonObject } from '../../shared/domain.ts';
import type { NewAuditEntry } from '../store/store.ts';

/** The two refusals the REST API audits: a key's scope too narrow for the route (403), and no proof of who asks (401). */
export type RefusalAction = 'api_key.refused' | 'api_key.auth_failed';

export interface Refusal {
  action: RefusalAction;
  actor: Actor;
  /** The route asked for, as `METHOD /path`. */
  route: string;
  details: JsonObject;
}

export interface RefusalAuditOptions {
  /** Refusals written one row each in a window; past them, a window's refusals are counted in one row. */
  rowsPerWindow?: number;
  windowMs?: number;
  /** Distinct refusals a window counts one by one; past them, only how many more came. */
  maxGroups?: number;
  now?: () => number;
}

interface Group {
  refusal: Refusal;
  count: number;
}

/** Whoever writes a window's summary row: the host, not any caller. */
const SUMMARY_ACTOR: Actor = { user: 'rest-api', host: hostname() };

/** Groups a summary row names; the rest are counted in `more_groups`. */
const SUMMARY_GROUPS = 20;

/**
 * Refused REST requests into the audit log without letting a flood fill it. In each window (a minute by
 * default) the first few distinct refusals (same action, actor, route and details: the key and why) are written a row each, as
 * they come; a refusal seen already in the window, or any past those few, is only counted, and when the
 * window ends one row per action (`coalesced`: how many, and who asked what, how often) says what was not
 * written one by one. So a window writes at most rowsPerWindow + 2 rows, whatever comes, and memory holds
 * at most maxGroups groups. A write that fails is dropped: a refusal is answered whether or not the store
 * took its row.
 */
export class RefusalAudit {
  readonly #write: (entry: NewAuditEntry) => Promise<void>;
  readonly #rows: number;
  readonly #windowMs: number;
  readonly #maxGroups: number;
  readonly #now: () => number;
  #windowStart = 0;
  #written = 0;
  readonly #seen = new Set<string>();
  readonly #counted = new Map<string, Group>();
  #uncounted = new Map<RefusalAction, number>();
  #timer: NodeJS.Timeout | null = null;
  #pending: Promise<void> = Promise.resolve();

  constructor(write: (entry: NewAuditEntry) => Promise<void>, opts: RefusalAuditOptions = {}) {
    this.#write = write;
    this.#rows = opts.rowsPerWindow ?? 10;
    this.#windowMs = opts.windowMs ?? 60_000;
    this.#maxGroups = opts.maxGroups ?? 1000;
    this.#now = opts.now ?? Date.now;
  }

  note(refusal: Refusal): void {
    const now = this.#now();
    if (this.#timer === null || now - this.#windowStart >= this.#windowMs) this.#startWindow(now);
    const key = JSON.stringify([refusal.action, refusal.actor.user, refusal.actor.host, refusal.route, refusal.details]);
    if (!this.#seen.has(key) && this.#written < this.#rows) {
      this.#seen.add(key);
      this.#written += 1;
      this.#enqueue({ actor: refusal.actor, action: refusal.action, target: refusal.route, details: refusal.details });
      return;
    }
    const group = this.#counted.get(key);
    if (group) group.count += 1;
    else if (this.#counted.size < this.#maxGroups) this.#counted.set(key, { refusal, count: 1 });
    else this.#uncounted.set(refusal.action, (this.#uncounted.get(refusal.action) ?? 0) + 1);
  }

  /** Writes what the window counted and waits for every write: a host closing, or a test reading the log. */
  async flush(): Promise<void> {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#summarize();
    await this.#pending;
  }

  #startWindow(now: number): void {
    this.#summarize();
    this.#windowStart = now;
    this.#written = 0;
    this.#seen.clear();
    if (this.#timer !== null) clearTimeout(this.#timer);
    // The window's summary is written when it ends, even if no refusal comes after it.
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#summarize();
    }, this.#windowMs);
    this.#timer.unref();
  }

  #summarize(): void {
    const byAction = new Map<RefusalAction, Group[]>();
    for (const group of this.#counted.values()) byAction.set(group.refusal.action, [...(byAction.get(group.refusal.action) ?? []), group]);
    for (const action of this.#uncounted.keys()) if (!byAction.has(action)) byAction.set(action, []);
    for (const [action, groups] of byAction) {
      const uncounted = this.#uncounted.get(action) ?? 0;
      const shown = [...groups].sort((a, b) => b.count - a.count).slice(0, SUMMARY_GROUPS);
      this.#enqueue({
        actor: SUMMARY_ACTOR,
        action,
        target: null,
        job_count: null,
        details: {
          coalesced: groups.reduce((sum, g) => sum + g.count, 0) + uncounted,
          window_s: Math.round(this.#windowMs / 1000),
          groups: shown.map((g) => ({ actor: `${g.refusal.actor.user}@${g.refusal.actor.host}`, route: g.refusal.route, ...g.refusal.details, count: g.count })),
          ...(groups.length > shown.length ? { more_groups: groups.length - shown.length } : {}),
          ...(uncounted > 0 ? { not_grouped: uncounted } : {}),
        },
      });
    }
    this.#counted.clear();
    this.#uncounted = new Map();
  }

  #enqueue(entry: NewAuditEntry): void {
    this.#pending = this.#pending.then(() => this.#write(entry).catch(() => undefined));
  }
}
