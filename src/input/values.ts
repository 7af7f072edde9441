/**
 * Reading one value: its flag, else its variable, trimmed, with the name of where it came from, and checked with its
 * zod schema so that a message names that source. Every input file reads its values through here.
 */
import type * as z from 'zod/mini';
import type { Config } from '../config.js';
import { UsageError } from '../errors.js';
import { type Named, refuseCredential } from '../output/refuse.js';
import { firstIssue } from './fields.js';

/** A value and where it came from (`--env`, `DD_ENV`): what the credential refusal names, too. */
export type Sourced = Named;

/** Flags are trimmed like environment variables: a stray space or newline from a script is never meant. */
export function trimmed(value: string | undefined): string | undefined {
  return value === undefined ? undefined : value.trim();
}

export function fromFlag(value: string | undefined, flag: string): Sourced | undefined {
  return value === undefined ? undefined : { value: value.trim(), from: flag };
}

/** The flag's value, else the configuration's (the environment variable it was read from is named). */
export function flagOrEnv(
  value: string | undefined,
  flag: string,
  config: Config,
  key: 'service' | 'env' | 'version',
): Sourced | undefined {
  if (value !== undefined) return fromFlag(value, flag);
  const configured = config[key];
  return configured === undefined ? undefined : { value: configured, from: config.sources[key] ?? key };
}

/**
 * Checks one value with its schema; the message names where it came from. A value that holds a credential is refused
 * too (see credentialIn): whatever dora is given, it sends none.
 */
export function checked<T>(
  schema: (label: string) => z.ZodMiniType<T>,
  sourced: Sourced | undefined,
  secrets: readonly string[] = [],
): T | undefined {
  if (sourced === undefined) return undefined;
  const result = schema(sourced.from).safeParse(sourced.value);
  if (!result.success) throw new UsageError(firstIssue(result.error));
  // After the schema, which bounds the length: the credential checks then read at most a few hundred characters.
  refuseCredential(sourced, secrets);
  return result.data;
}
