/**
 * The exact command that sends an event again, made from the body itself: same id, same times to the nanosecond,
 * every attribute. Printed whenever an event was built but not recorded (a refusal, a timeout, an interruption), and
 * as the hint that resolves an open incident (a resend replaces the event, so it must repeat every attribute).
 */
import type { JsonValue } from '../events/json.js';
import { shellOptions, shellQuote } from './shell.js';

type Attributes = { readonly [key: string]: JsonValue | undefined };

/**
 * `finishedAt` replaces the body's finish (the resolve hint passes `now`); `more`: flags that are no attribute but
 * part of what the run was to do (`--rollback-of 1.4.2`: the mark that follows the recording).
 */
export function resendCommand(
  kind: 'deployment' | 'incident',
  payload: JsonValue,
  finishedAt?: string,
  more: readonly string[] = [],
): string {
  const attributes = attributesOf(payload);
  const parts = [`dora ${kind}`];
  const add = (flag: string, value: JsonValue | undefined) => {
    if (typeof value === 'string') parts.push(`${flag} ${shellQuote(value)}`);
    else if (typeof value === 'bigint' || typeof value === 'number') parts.push(`${flag} ${value}`);
  };
  add('--id', attributes.id);
  if (kind === 'deployment') add('--service', attributes.service);
  for (const service of list(attributes.services)) add('--service', service);
  add('--team', attributes.team);
  add('--env', attributes.env);
  add('--version', attributes.version);
  add('--name', attributes.name);
  add('--severity', attributes.severity);
  for (const tag of list(attributes.custom_tags)) add('--custom-tags', tag);
  const git = attributes.git as Attributes | undefined;
  if (git && typeof git === 'object') {
    add('--git-repository-url', git.repository_url);
    add('--git-commit-sha', git.commit_sha);
  } else if (kind === 'deployment') {
    parts.push('--skip-git');
  }
  add('--started-at', attributes.started_at);
  if (finishedAt !== undefined) parts.push(`--finished-at ${finishedAt}`);
  else add('--finished-at', attributes.finished_at);
  parts.push(...shellOptions(more));
  return parts.join(' ');
}

function attributesOf(payload: JsonValue): Attributes {
  const data = (payload as { data?: { attributes?: Attributes } }).data;
  return data?.attributes ?? {};
}

function list(value: JsonValue | undefined): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
