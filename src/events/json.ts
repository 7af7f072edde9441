/**
 * JSON writer for wire payloads. `JSON.stringify` cannot write a bigint, and turning nanoseconds into a number loses
 * the last digits, so integers are written from their decimal digits here. Strings still go through JSON.stringify,
 * which escapes quotes, control characters and lone surrogates exactly as the JSON grammar requires.
 */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | bigint
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue | undefined };

export function toJson(value: JsonValue): string {
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item) => toJson(item)).join(',')}]`;
  const members: string[] = [];
  for (const [key, member] of Object.entries(value as Record<string, JsonValue | undefined>)) {
    if (member === undefined) continue; // absent, as JSON.stringify would do
    members.push(`${JSON.stringify(key)}:${toJson(member)}`);
  }
  return `{${members.join(',')}}`;
}

/** Drops absent optional members and empty lists, so a body carries only what was given. */
export function compact(event: Record<string, unknown>): { [key: string]: JsonValue } {
  const out: { [key: string]: JsonValue } = {};
  for (const [key, value] of Object.entries(event)) {
    if (value === undefined) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    out[key] = value as JsonValue;
  }
  return out;
}
