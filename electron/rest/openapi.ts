import { z } from 'zod';
import { calls } from '../../shared/contract.ts';
import { RestError } from './errors.ts';
import type { Route } from './route.ts';
import { ROUTES } from './routes.ts';
import { SchemaBook } from './schemaBook.ts';

type Json = Record<string, unknown>;

const ERROR_REF = { $ref: '#/components/schemas/Error' };

function errorResponse(description: string): Json {
  return { description, content: { 'application/json': { schema: ERROR_REF } } };
}

/** A unique, readable operation id from the method and path: postV1BreakersServiceOpen. */
function operationId(route: Route): string {
  const words = route.path.split(/[/{}-]+/).filter((w) => w !== '');
  return route.method.toLowerCase() + words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}

const EXECUTION_REF =
  "the execution id, or its identifier; digits that are one execution's id and another's identifier are refused (409) naming both: id:7 or identifier:7 says which";

function pathParameters(route: Route): Json[] {
  return [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string' },
    description: name === 'id' && route.path.startsWith('/v1/executions/') ? EXECUTION_REF : `the ${name}`,
  }));
}

/** What a route answers: its call's output, with the note it may add. */
function answerSchema(route: Route): z.ZodType {
  const output = calls[route.call].output;
  if (!route.note) return output;
  if (!(output instanceof z.ZodObject)) throw new Error(`${route.method} ${route.path} adds a note to an answer that is no object`);
  return output.extend({ note: z.string().optional().describe(route.note.doc) });
}

function operation(route: Route, book: SchemaBook): Json {
  const parameters: Json[] = pathParameters(route);
  if (route.query) {
    for (const [name, field] of Object.entries(route.query.shape)) {
      parameters.push({ name, in: 'query', required: false, schema: book.convert(field, 'input') });
    }
  }
  if (route.call === 'jobs.enqueue') {
    parameters.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      schema: { type: 'string', minLength: 1, maxLength: 200 },
      description: 'Sent again, the same key finds the execution the first request made (it becomes its identifier when the body names none).',
    });
  }
  const output = { description: 'OK', content: { 'application/json': { schema: book.convert(answerSchema(route), 'output') } } };
  const responses: Json = route.call === 'jobs.enqueue' ? { '201': { ...output, description: 'Created' }, '200': { ...output, description: 'Already there (a replay)' } } : { '200': output };
  if (route.call === 'health.check') responses['503'] = { ...output, description: 'Unhealthy: the failing checks say why' };
  responses['401'] = errorResponse('No API key, or not a valid one');
  if (route.write) responses['403'] = errorResponse('A read key cannot change anything');
  else if (route.operateOnly !== null) responses['403'] = errorResponse(`A read key may not: ${route.operateOnly}`);
  responses['404'] = errorResponse('No such execution, service or path');
  if (route.method === 'POST') responses['400'] = errorResponse('The body is not JSON');
  if (route.write) responses['409'] = errorResponse('The state does not allow it (a job that is not failed cannot be retried, …)');
  responses['422'] = errorResponse('The request does not match the schema; `issues` names each problem');
  responses['429'] = errorResponse('Too many failed attempts from this address; see Retry-After');
  responses['503'] = responses['503'] ?? errorResponse('The store does not answer; `action`, when present, is what an operator must do first, for it will not pass by itself');
  const op: Json = { operationId: operationId(route), summary: route.summary, tags: [route.path.split('/')[2] ?? 'v1'], parameters, responses };
  // OpenAPI 3.1 lets a bearer scheme name the role a request needs: any key reads, an operate key for the rest.
  if (route.write || route.operateOnly !== null) op.security = [{ apiKey: ['operate'] }];
  if (route.body) {
    const schema = book.convert(route.body, 'input');
    const required = Array.isArray(schema.required) && schema.required.length > 0;
    op.requestBody = { required, content: { 'application/json': { schema } } };
  }
  return op;
}

function plain(summary: string, description: string, schema: Json): Json {
  return { operationId: `get${summary.replace(/\W/g, '')}`, summary, security: [], responses: { '200': { description, content: { 'application/json': { schema } } } } };
}

/** The OpenAPI 3.1 document of REST API v1, generated from the route table and the contract's zod schemas. */
export function openApiDocument(version: string): Json {
  const book = new SchemaBook();
  const paths: Record<string, Json> = {};
  for (const route of ROUTES) {
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation(route, book) };
  }
  const status = { type: 'object', properties: { status: { type: 'string' } }, required: ['status'] };
  paths['/healthz'] = { get: plain('Liveness', 'The process answers', status) };
  paths['/readyz'] = {
    get: { ...plain('Readiness', 'The store answers and its schema is current', status), responses: { '200': { description: 'Ready', content: { 'application/json': { schema: status } } }, '503': { description: 'Not ready', content: { 'application/json': { schema: status } } } } },
  };
  paths['/v1/openapi.json'] = { get: plain('OpenAPI', 'This document', { type: 'object' }) };
  return {
    openapi: '3.1.0',
    info: {
      title: 'opsdeck REST API',
      version,
      description:
        'The calls of the opsdeck console over HTTP. Authenticate with `Authorization: Bearer <API key>` (`opsdeck api-key create`). A read key may read and check; what changes state, shows the host\'s configuration (a diagnosis, a support bundle), sends a service\'s credential or reaches an address the caller names (a URL\'s connectivity) needs an operate key (`security` names it). A read key gets every payload and security_context with the values of secret-named keys (password, token, api_key, …) as [redacted], and the values written after those names in their text and args (--password VALUE, --token=VALUE, Authorization: Bearer VALUE); the errors, output tails, sample errors and the last errors of breakers with such values [redacted]; and health checks without where the store and the registry file are.',
    },
    servers: [{ url: '/' }],
    security: [{ apiKey: [] }],
    paths,
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An opsdeck API key: odk_<key id>_<secret>' } },
      schemas: { ...book.components, Error: book.convert(RestError, 'output') },
    },
  };
}
