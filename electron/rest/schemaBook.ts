import { z } from 'zod';
import { isPlainObject, JsonData } from '../../shared/domain.ts';

type JsonSchema = Record<string, unknown>;

/** What z.json() becomes: named once in the document instead of once per place it appears. */
const JSON_VALUE = 'JsonValue';

function parsed(text: string): JsonSchema {
  const value: unknown = JSON.parse(text);
  if (!isPlainObject(value)) throw new Error('a JSON Schema must be an object');
  return value;
}

/**
 * The zod schemas of the contract as OpenAPI 3.1 schemas (JSON Schema 2020-12, as zod writes them).
 * zod puts what a schema defines for itself (the recursive JSON value type) under its own `$defs`,
 * which an OpenAPI document cannot hold per schema: those move into components.schemas, the same
 * definition written once, and every reference follows them there.
 */
export class SchemaBook {
  readonly components: Record<string, JsonSchema> = {};
  readonly #names = new Map<string, string>();
  #next = 1;

  convert(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
    // An answer's JSON data is checked by its kind alone (JsonData), but it is the same JSON value z.json() documents.
    let jsonData = false;
    const unrepresentable = (ctx: { zodSchema: unknown }): z.core.JSONSchema.BaseSchema | 'any' => {
      if (ctx.zodSchema !== JsonData) return 'any';
      jsonData = true;
      return { $ref: `#/components/schemas/${JSON_VALUE}` };
    };
    const raw = parsed(JSON.stringify(z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable })));
    if (jsonData && !this.components[JSON_VALUE]) this.convert(z.object({ v: z.json() }), io);
    const defs = isPlainObject(raw.$defs) ? raw.$defs : {};
    delete raw.$defs;
    delete raw.$schema;
    const renames = new Map<string, string>();
    for (const [name, def] of Object.entries(defs)) renames.set(name, this.#nameFor(name, def));
    const moved = (text: string) => {
      let out = text;
      for (const [from, to] of renames) out = out.split(JSON.stringify(`#/$defs/${from}`)).join(JSON.stringify(`#/components/schemas/${to}`));
      return out;
    };
    for (const [name, def] of Object.entries(defs)) {
      const target = renames.get(name);
      if (target && !this.components[target]) this.components[target] = parsed(moved(JSON.stringify(def)));
    }
    return parsed(moved(JSON.stringify(raw)));
  }

  /** One component per distinct definition (a definition's references to itself do not make it distinct). */
  #nameFor(name: string, def: unknown): string {
    const canonical = JSON.stringify(def).split(JSON.stringify(`#/$defs/${name}`)).join('"#self"');
    const known = this.#names.get(canonical);
    if (known) return known;
    const fresh = isJsonValue(canonical) ? JSON_VALUE : `Shared${this.#next++}`;
    this.#names.set(canonical, fresh);
    return fresh;
  }
}

let jsonValueShape: string | null = null;

function isJsonValue(canonical: string): boolean {
  if (jsonValueShape === null) {
    const raw = parsed(JSON.stringify(z.toJSONSchema(z.object({ v: z.json() }), { target: 'draft-2020-12' })));
    const defs = isPlainObject(raw.$defs) ? raw.$defs : {};
    const [name, def] = Object.entries(defs)[0] ?? ['', null];
    jsonValueShape = JSON.stringify(def).split(JSON.stringify(`#/$defs/${name}`)).join('"#self"');
  }
  return canonical === jsonValueShape;
}
