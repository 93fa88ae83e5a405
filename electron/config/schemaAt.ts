import { z } from 'zod';
import { Registry } from '../../shared/registry.ts';
import { valueAt, type PathKey } from './locate.ts';

/**
 * The registry's schema read as a map of its sections, so an unknown key anywhere in a registry can be
 * checked against the keys allowed there, and against the keys of the sections one level up or down
 * (`auth_type` written beside `execution_type` belongs under `runner_config`). The schema is the one
 * source: a key added to it is known here without a list to keep.
 */

/** The object schemas a value may be: wrappers taken off, a union's options narrowed by the value's own discriminator. */
function objectsOf(schema: z.core.$ZodType, value: unknown): z.ZodObject[] {
  if (schema instanceof z.ZodObject) return [schema];
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable || schema instanceof z.ZodDefault || schema instanceof z.ZodPrefault) {
    return objectsOf(schema.unwrap(), value);
  }
  if (schema instanceof z.ZodPipe) return objectsOf(schema.in, value);
  if (schema instanceof z.ZodUnion) {
    const objects = schema.options.flatMap((option) => objectsOf(option, value));
    const matching = objects.filter((object) => literalsMatch(object, value));
    // A discriminator that names no option (a misspelt kind): every option's keys are candidates.
    return matching.length > 0 ? matching : objects;
  }
  return [];
}

/** Whether each literal field of an object schema (a union's discriminator) has its value in `value`. */
function literalsMatch(object: z.ZodObject, value: unknown): boolean {
  return Object.entries(object.shape).every(([key, field]) => !(field instanceof z.ZodLiteral) || [...field.values].some((literal) => literal === valueAt(value, [key])));
}

/** A field's element schema when it holds a list, so `tasks` leads to a task's schema. */
function elementOf(schema: z.core.$ZodType): z.core.$ZodType | null {
  if (schema instanceof z.ZodArray) return schema.element;
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable || schema instanceof z.ZodDefault || schema instanceof z.ZodPrefault) {
    return elementOf(schema.unwrap());
  }
  return null;
}

/** The object schemas of the map at `path` in `root` (a registry document): none where the path leads to no map of the schema. */
export function objectsAt(root: unknown, path: readonly PathKey[]): z.ZodObject[] {
  let schemas: z.core.$ZodType[] = [Registry];
  for (let i = 0; i < path.length; i++) {
    const key = path[i];
    const here = valueAt(root, path.slice(0, i));
    const next: z.core.$ZodType[] = [];
    for (const schema of schemas) {
      if (typeof key === 'number') {
        const element = elementOf(schema);
        if (element) next.push(element);
      } else {
        for (const object of objectsOf(schema, here)) {
          const field = object.shape[key ?? ''];
          if (field) next.push(field);
        }
      }
    }
    schemas = next;
  }
  const value = valueAt(root, path);
  return schemas.flatMap((schema) => objectsOf(schema, value));
}

/** The keys allowed in the map at `path`. */
export function keysAt(root: unknown, path: readonly PathKey[]): string[] {
  return [...new Set(objectsAt(root, path).flatMap((object) => Object.keys(object.shape)))];
}

/** A section below a map: its key, and whether it is a list of such maps (`tasks`) rather than one (`runner_config`). */
export interface Section {
  path: string[];
  list: boolean;
  keys: string[];
}

/**
 * The sections below the map at `path`, up to two levels down (`security_policy.resource_limits`): each
 * with the keys it takes. A union's section (a service's `runner_config`) takes its keys from the option
 * the value names, or every option's when it names none.
 */
export function sectionsBelow(root: unknown, path: readonly PathKey[], depth = 2): Section[] {
  const out: Section[] = [];
  for (const key of keysAt(root, path)) {
    const value = valueAt(root, [...path, key]);
    const fields = objectsAt(root, path).flatMap((object) => { const field = object.shape[key]; return field ? [field] : []; });
    const element = fields.map(elementOf).find((e) => e !== null);
    const objects = element ? objectsOf(element, Array.isArray(value) ? value[0] : undefined) : fields.flatMap((f) => objectsOf(f, value));
    if (objects.length === 0) continue;
    out.push({ path: [key], list: element !== undefined, keys: [...new Set(objects.flatMap((o) => Object.keys(o.shape)))] });
    if (depth > 1 && !element) {
      for (const below of sectionsBelow(root, [...path, key], depth - 1)) out.push({ ...below, path: [key, ...below.path] });
    }
  }
  return out;
}
