/**
 * Checks a body dora sends against Datadog's published request model, with Datadog's own client: the body must
 * deserialize into the model with no unknown member (the client would keep one aside as additionalProperties) and no
 * unparsed value (an enum member the model does not have), carry every required member, and serialize back to the
 * same JSON. Numbers are compared as JSON.parse reads them: the exact nanoseconds are checked on the raw text elsewhere.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface Serializer {
  deserialize(data: unknown, type: string, format: string): unknown;
  serialize(data: unknown, type: string, format: string): unknown;
}

let serializer: Serializer | undefined;

function objectSerializer(): Serializer {
  serializer ??= (
    require('@datadog/datadog-api-client/dist/packages/datadog-api-client-v2/models/ObjectSerializer.js') as {
      ObjectSerializer: Serializer;
    }
  ).ObjectSerializer;
  return serializer;
}

export type RequestModel =
  | 'DORADeploymentRequest'
  | 'DORAFailureRequest'
  | 'DORADeploymentPatchRequest'
  | 'DORAListDeploymentsRequest'
  | 'DORAListFailuresRequest';

/** Throws, saying what is wrong, unless `body` (JSON text) is a valid `model`. */
export function checkAgainstModel(body: string, model: RequestModel): void {
  const parsed: unknown = JSON.parse(body);
  const instance = objectSerializer().deserialize(parsed, model, '');
  const problem = unknownMembers(instance, model);
  if (problem) throw new Error(`${model}: ${problem}`);
  const back = canonical(objectSerializer().serialize(instance, model, ''));
  if (back !== canonical(parsed)) throw new Error(`${model}: ${canonical(parsed)} serializes back as ${back}`);
}

/** JSON with members in key order: the serializer writes them in the model's order, dora in its own. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value as object)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

function unknownMembers(value: unknown, path: string): string | undefined {
  if (value === null || typeof value !== 'object' || value instanceof Date) return undefined;
  const record = value as Record<string, unknown>;
  if (record._unparsed === true || record.constructor?.name === 'UnparsedObject')
    return `${path} holds a value the model does not know`;
  if (record.additionalProperties && Object.keys(record.additionalProperties as object).length > 0) {
    return `${path} has members the model does not have: ${Object.keys(record.additionalProperties as object).join(', ')}`;
  }
  for (const [key, member] of Object.entries(record)) {
    const found = unknownMembers(member, `${path}.${key}`);
    if (found) return found;
  }
  return undefined;
}
