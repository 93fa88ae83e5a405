import parsePrometheusTextFormat, { type PrometheusFamily, type PrometheusSample } from 'parse-prometheus-text-format';

/**
 * An exposition read by a Prometheus text-format parser, with lookups by name and labels. The parser
 * folds a labelled histogram into one sample and drops its labels, so histograms are read a second
 * time as their `_bucket`, `_sum` and `_count` series (their TYPE line left out); the types are the
 * first reading's.
 */
export class Scrape {
  readonly families: Map<string, PrometheusFamily>;
  readonly #series: Map<string, PrometheusFamily>;

  constructor(text: string) {
    this.families = new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f]));
    const flat = text
      .split('\n')
      .filter((line) => !/^# TYPE \S+ histogram$/.test(line))
      .join('\n');
    // Read so, one histogram's series take turns (each label set's buckets, sum, count): join them by name.
    this.#series = new Map();
    for (const f of parsePrometheusTextFormat(flat)) {
      const seen = this.#series.get(f.name);
      this.#series.set(f.name, seen ? { ...seen, metrics: [...seen.metrics, ...f.metrics] } : f);
    }
  }

  type(name: string): PrometheusFamily['type'] {
    const family = this.families.get(name);
    if (!family) throw new Error(`no ${name} in the scrape (it has ${[...this.families.keys()].join(', ')})`);
    return family.type;
  }

  /** The one sample of series `name` whose labels include these; throws when there is none. */
  sample(name: string, labels: Record<string, string> = {}): PrometheusSample {
    const series = this.#series.get(name);
    if (!series) throw new Error(`no series ${name} in the scrape`);
    const found = series.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
    if (!found) throw new Error(`no ${name}${JSON.stringify(labels)} in ${JSON.stringify(series.metrics)}`);
    return found;
  }

  /** A sample's value as a number (a histogram's as `name_count`, `name_sum`, `name_bucket{le}`). */
  value(name: string, labels: Record<string, string> = {}): number {
    return Number(this.sample(name, labels).value);
  }
}
