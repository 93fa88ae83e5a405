import type { ExecutionType, ServiceLack, WorkerCannotRun } from '../../shared/domain.ts';
import type { Registry, ServiceConfig } from '../../shared/registry.ts';
import { lackText } from '../../shared/cannotRunText.ts';
import { durationText } from '../../shared/durationText.ts';
import type { Logger } from '../log/logger.ts';
import { errorMessage } from '../runners/result.ts';
import type { Runner } from '../runners/runner.ts';
import type { RegistrySource } from './dispatcherOptions.ts';
import { awayIn, declinedForUnset, dockerSockets, lacksSoFar, NOT_ANSWERED, startProbes, withAway, type Probed, type ProbeAsked } from './unrunnable.ts';

/**
 * How often a worker looks again at what it lacks: a Docker daemon restarted, a socket's permissions fixed.
 * Each look pings each Docker socket the registry names once (3 s at most), so not on every heartbeat.
 */
export const CANNOT_RUN_CHECK_MS = 30_000;

export interface CannotRunOptions {
  registry: RegistrySource;
  runners: ReadonlyMap<ExecutionType, Runner>;
  env: Readonly<Record<string, string | undefined>>;
  /** Where what it lacks is said: not quieted, since a reload within the minute must say it again. */
  log: Logger;
  everyMs?: number;
  /** How long a look waits on each kind's probe (default PROBE_WAIT_MS, 10 s). */
  probeWaitMs?: number;
  /** A look changed which Docker daemons the claims leave alone: a claim that found nothing may find some now. */
  declinedChanged?: () => void;
}

interface Checked {
  registry: Registry;
  at: number;
  lacks: ServiceLack[];
}

/**
 * What this worker cannot run, looked at when it starts, after each reload and then every `everyMs`: the
 * record its next heartbeat writes on its row for the fleet's views, and the Docker daemons its claims
 * leave alone. A worker says each service it lacks something for at start and after a reload; between,
 * only what changed. What its claims leave out is worked out at each claim (declined), never waiting on a
 * look: a variable unset from the environment at once, for whichever registry the claim uses; a Docker
 * daemon by its socket, as the last look found it, so a reload keeps it. The record says the same as soon
 * as a registry takes, then each kind's probe as it answers, so a daemon slow to answer holds up nothing
 * else; a later look of the same registry replaces the record only once it is whole.
 */
export class CannotRunCheck {
  readonly #opts: CannotRunOptions;
  readonly #everyMs: number;
  /** The last whole look, of the registry it looked at. */
  #last: Checked | null = null;
  /** The registry the last record was made for, whole or not. */
  #saidFor: Registry | null = null;
  /** The last record made, whole or not: what the row gets again once the worker registers again. */
  #said: WorkerCannotRun | null = null;
  #unwritten: WorkerCannotRun | null = null;
  #running: Promise<void> | null = null;
  /** Asked to look while a look was under way: what that one finds may be older than the question. */
  #again = false;
  /** The sockets the registry in use names that the last Docker probe (or a run) found no daemon certainly behind, with the daemon's words. */
  #away = new Map<string, string>();
  /** Per registry loaded, its services a variable unset here fails every job of: the environment is read once, at start. */
  readonly #unset = new WeakMap<Registry, ReadonlySet<string>>();
  /** Each kind's probe asked by a look and not taken yet: not asked again before it answers, an answer too late for its look kept for the next (startProbes). */
  readonly #asked = new Map<ExecutionType, ProbeAsked>();
  /**
   * Each kind whose probe a look's wait ran out on, said so for the registry in use then, and since when:
   * said once, not once a look for as long as it stays stuck or keeps answering past the wait.
   */
  readonly #stuck = new Map<ExecutionType, { registry: Registry; since: number }>();

  constructor(opts: CannotRunOptions) {
    this.#opts = opts;
    this.#everyMs = Math.max(10, opts.everyMs ?? CANNOT_RUN_CHECK_MS);
  }

  /** Whether a look is due: none yet, the registry changed, or the last is older than the interval. */
  due(now = Date.now()): boolean {
    const last = this.#last;
    return this.#running === null && (last === null || last.registry !== this.#opts.registry.registry || now - last.at >= this.#everyMs);
  }

  /**
   * Looks now, one look at a time: asked while one is under way, looks again once it ends. A registry not
   * looked at yet gets at once what needs no I/O in its record, even while a look of the one before is
   * under way.
   */
  check(): Promise<void> {
    this.#forgetUnnamed();
    if (this.#running !== null) {
      this.#again = true;
      this.#sayWhatIsKnown(this.#opts.registry.registry);
    }
    this.#running ??= this.#looks().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  async #looks(): Promise<void> {
    for (;;) {
      this.#again = false;
      const registry = this.#opts.registry.registry;
      try {
        await this.#look(registry);
      } catch (error) {
        this.#opts.log.warn('could not check what the services need on this worker', { error: errorMessage(error) });
        return;
      }
      if (this.#opts.registry.registry === registry && !this.#again) return;
    }
  }

  async #look(registry: Registry): Promise<void> {
    const { log, runners, env } = this.#opts;
    const current = () => this.#opts.registry.registry === registry;
    // Only a registry without a whole look yet is said in parts: a later look must not take back what the last one found.
    const inParts = this.#last?.registry !== registry;
    const probes = startProbes(registry, runners, env, this.#asked, this.#opts.probeWaitMs);
    const answered = new Map<ExecutionType, Probed>();
    const unanswered = () => [...probes.keys()].filter((kind) => !answered.has(kind));
    const sayPart = () => {
      if (inParts && current()) this.#say(registry, this.#lacks(registry, answered), unanswered());
    };
    sayPart();
    const timedOut: ExecutionType[] = [];
    await Promise.all(
      [...probes].map(async ([kind, { answer, late }]) => {
        const probed = await answer;
        if (probed === NOT_ANSWERED) {
          timedOut.push(kind);
          this.#sayStuck(kind, registry);
          return;
        }
        if (!late) this.#sayAnswering(kind);
        answered.set(kind, probed);
        // A daemon's answer is its socket's, whichever registry asked: kept even when a reload took meanwhile.
        if (kind === 'docker') this.#keepAway(dockerSockets(registry), awayIn(registry, probed));
        sayPart();
      }),
    );
    // A reload took meanwhile: the next look says the registry in use.
    if (!current()) return;
    const lacks = this.#lacks(registry, answered);
    const before = this.#last;
    const was = new Map((before === null || before.registry !== registry ? [] : before.lacks).map((l) => [l.service, lackText(l)]));
    for (const lack of lacks) {
      const why = lackText(lack);
      if (was.get(lack.service) !== why) log.warn(`service ${lack.service} cannot run on this worker: ${why}`, { service: lack.service, claimed: !lack.declined });
    }
    const now = new Set(lacks.map((l) => l.service));
    for (const service of was.keys()) if (!now.has(service)) log.info(`service ${service} can run on this worker again`, { service });
    this.#last = { registry, at: Date.now(), lacks };
    this.#say(registry, lacks, unanswered(), timedOut);
  }

  /**
   * The first look of a registry whose wait ran out on a kind's probe warns; the later ones, each 30 s, do
   * not while it stays stuck, nor while it answers only past the wait (a late answer, taken by the next
   * look, is no sign it answers again): its services' record says so still. A reload's new probe stuck warns again.
   */
  #sayStuck(kind: ExecutionType, registry: Registry): void {
    if (this.#stuck.get(kind)?.registry === registry) return;
    this.#stuck.set(kind, { registry, since: performance.now() });
    this.#opts.log.warn(`the ${kind} probe did not answer: whether this worker can run its services is not known until a look hears it`, { kind });
  }

  /** A look heard within its wait a kind whose probe was said stuck (a reload's probe too): said once, with how long it went unheard. */
  #sayAnswering(kind: ExecutionType): void {
    const stuck = this.#stuck.get(kind);
    if (stuck === undefined) return;
    this.#stuck.delete(kind);
    const unheardMs = Math.round(performance.now() - stuck.since);
    this.#opts.log.info(`the ${kind} probe answers again, ${durationText(unheardMs, '-')} after a look first went without its answer`, { kind, unheard_ms: unheardMs });
  }

  /** A registry not said yet: its record at once, with what needs no probe. */
  #sayWhatIsKnown(registry: Registry): void {
    if (this.#saidFor === registry || this.#last?.registry === registry) return;
    const kinds = [...new Set(registry.services.map((s) => s.execution_type))];
    this.#say(registry, this.#lacks(registry, new Map()), kinds);
  }

  /** What `registry`'s services lack here as far as the probes `answered` say, each Docker daemon as the claims take it. */
  #lacks(registry: Registry, answered: ReadonlyMap<ExecutionType, Probed>): ServiceLack[] {
    return withAway(registry, lacksSoFar(registry, this.#opts.registry.warnings ?? [], answered, this.#opts.env), this.#away);
  }

  /**
   * `probing`: the kinds not answered yet, still to come in a look under way or run out of its wait;
   * `timedOut`: those of them that ran out of it, which the fleet's advice tells apart (api/fleetLacks.ts).
   * `checkedAt`: when what it says was looked at, now unless it only lays a run's finding on a record made before.
   */
  #say(registry: Registry, services: ServiceLack[], probing: ExecutionType[], timedOut: readonly ExecutionType[] = [], checkedAt = new Date().toISOString()): void {
    const record: WorkerCannotRun = {
      checked_at: checkedAt,
      services,
      ...(probing.length > 0 ? { probing } : {}),
      ...(timedOut.length > 0 ? { unanswered: [...timedOut].sort() } : {}),
      looks_every_ms: this.#everyMs,
    };
    this.#saidFor = registry;
    this.#said = record;
    this.#unwritten = record;
  }

  /**
   * Sockets the registry in use names no more are forgotten (a reload asks for a look): found away before,
   * however long ago, they would leave out a later registry's jobs of them until a look answered. Nothing
   * the claims leave out changes: they ask only of the services the registry names.
   */
  #forgetUnnamed(): void {
    const named = dockerSockets(this.#opts.registry.registry);
    this.#away = new Map([...this.#away].filter(([socket]) => named.has(socket)));
  }

  /**
   * What a Docker probe or a run found of the sockets it asked about (`asked`), of those the registry in use
   * names: a look of the one before may answer after a reload. The others stay as they were: a late answer
   * about the old registry's sockets says nothing of one a run under the new registry found away.
   */
  #keepAway(asked: ReadonlySet<string>, found: ReadonlyMap<string, string>): void {
    const named = dockerSockets(this.#opts.registry.registry);
    const others = [...this.#away].filter(([socket]) => !asked.has(socket));
    const away = new Map([...others, ...found].filter(([socket]) => named.has(socket)));
    const changed = [...away.keys()].sort().join('\n') !== [...this.#away.keys()].sort().join('\n');
    this.#away = away;
    if (changed) this.#opts.declinedChanged?.();
  }

  /**
   * The services claims under `registry` leave out, every job of them failing here for certain: a variable
   * a job reads unset, or a Docker daemon whose socket the last look found missing, refusing or not permitted.
   */
  declined(registry: Registry): string[] {
    let unset = this.#unset.get(registry);
    if (unset === undefined) {
      unset = new Set(declinedForUnset(registry, this.#opts.env));
      this.#unset.set(registry, unset);
    }
    return registry.services.filter((s) => unset.has(s.name) || this.daemonAway(s)).map((s) => s.name);
  }

  /**
   * A job's run met this Docker service's daemon certainly away (RunResult.lacksHere) before a look did:
   * the claims leave it out from now until a look finds it answering, so the job it handed back is not
   * claimed here again meanwhile. A daemon that answers each look and not the runs between is met once a
   * look at most. `words`: what the run met. The record says so at once too, as the claims act on it,
   * not once the look the run starts has ended (up to 3 s, or a hung probe's wait). The record keeps its
   * `checked_at`: the rest of it was looked at no later (the Runners page would say "checked just now").
   */
  runFoundAway(service: ServiceConfig, words: string): void {
    if (service.execution_type !== 'docker' || this.#away.has(service.runner_config.socket_path)) return;
    const socket = service.runner_config.socket_path;
    this.#keepAway(new Set([socket]), new Map([[socket, words]]));
    const registry = this.#opts.registry.registry;
    const said = this.#said;
    if (said !== null && this.#saidFor === registry && this.#away.has(socket)) this.#say(registry, withAway(registry, said.services, this.#away), said.probing ?? [], said.unanswered, said.checked_at);
  }

  /** Whether the last look found this Docker service's daemon certainly away. */
  daemonAway(service: ServiceConfig): boolean {
    return service.execution_type === 'docker' && this.#away.has(service.runner_config.socket_path);
  }

  /** The last record made, while the store has not taken it; the heartbeat that carries it calls written(). */
  unwritten(): WorkerCannotRun | undefined {
    return this.#unwritten ?? undefined;
  }

  written(record: WorkerCannotRun): void {
    if (this.#unwritten === record) this.#unwritten = null;
  }

  /** The worker registered again, which clears its row's record: the next heartbeat writes the last one again. */
  rewrite(): void {
    this.#unwritten ??= this.#said;
  }
}
