/**
 * What the command will inject, stood in for the tests: a validation with the event commands' rules (built from the
 * same field schemas and time parser), the wire bodies of src/events, and an in-process `send` to the rate-limited
 * stand-in API that takes time on the test's clock.
 */
import { errorText } from '../../src/api/response.js';
import type { Clock } from '../../src/context.js';
import { UsageError } from '../../src/errors.js';
import { DEPLOYMENT_PATH, deploymentBody } from '../../src/events/deployment.js';
import { FAILURE_PATH, failureBody } from '../../src/events/failure.js';
import { toJson } from '../../src/events/json.js';
import { COMMIT_SHA_PATTERN } from '../../src/git/resolve.js';
import type { Validate, ValidEvent } from '../../src/import/event.js';
import type { PlannedRecord } from '../../src/import/plan.js';
import { type ImportFlags, memberOf } from '../../src/import/record.js';
import type { Send } from '../../src/import/scheduler.js';
import { customTags, eventId, text } from '../../src/input/fields.js';
import { checkNotAhead, parseTimestamp } from '../../src/time.js';
import type { RateLimitedApi } from '../helpers/rate-limited-api.js';

export interface TestEvent extends ValidEvent {
  customTags?: string[];
  repositoryUrl?: string;
  name?: string;
  severity?: string;
}

class Invalid extends Error {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(reason);
  }
}

/**
 * The stand-in of the input core: the rules of `dora deployment` / `dora incident` for the values a record gives.
 * Each labelled schema is built once: building zod schemas per value costs an import of 100,000 records about
 * 120 MB of peak memory (see scripts/bench-import.mjs).
 */
export function standInValidate(nowNs: bigint): Validate<TestEvent> {
  const texts = new Map<string, ReturnType<typeof text>>();
  const textSchema = (label: string) => {
    const schema = texts.get(label) ?? text(label);
    texts.set(label, schema);
    return schema;
  };
  const idSchema = eventId('id');
  return (record) => {
    try {
      const { flags } = record;
      const textOf = (flag: keyof ImportFlags) => {
        const value = flags[flag];
        if (value === undefined || Array.isArray(value)) return undefined;
        const checked = textSchema(memberOf(flag)).safeParse(value.trim());
        if (!checked.success) throw new Invalid(memberOf(flag), checked.error.issues[0]?.message ?? 'invalid');
        return checked.data;
      };
      const timeOf = (flag: 'startedAt' | 'finishedAt') => {
        const value = flags[flag];
        if (value === undefined) return undefined;
        try {
          const ns = parseTimestamp(value, memberOf(flag), nowNs);
          checkNotAhead(ns, nowNs, memberOf(flag));
          return ns;
        } catch (error) {
          if (error instanceof UsageError) throw new Invalid(memberOf(flag), error.message.split('\n')[0] ?? '');
          throw error;
        }
      };
      const services = [...new Set((flags.service ?? []).map((service) => service.trim()))];
      for (const service of services) {
        const checked = textSchema('service').safeParse(service);
        if (!checked.success) throw new Invalid('service', checked.error.issues[0]?.message ?? 'invalid');
      }
      const team = textOf('team');
      if (record.kind === 'deployment' && services.length !== 1) throw new Invalid('service', 'is required');
      if (record.kind === 'incident' && services.length === 0 && team === undefined)
        throw new Invalid('services', 'an incident needs services or a team');
      const startedAt = timeOf('startedAt');
      const finishedAt = timeOf('finishedAt');
      if (startedAt === undefined) throw new Invalid('started_at', 'is required');
      if (finishedAt !== undefined && startedAt > finishedAt) throw new Invalid('started_at', 'is after finished_at');
      let id: string | undefined;
      if (flags.id !== undefined) {
        const checked = idSchema.safeParse(flags.id.trim());
        if (!checked.success) throw new Invalid('id', checked.error.issues[0]?.message ?? 'invalid');
        id = checked.data;
      }
      const tags = flags.customTags?.map((tag) => tag.trim());
      if (tags) {
        const checked = customTags().safeParse(tags);
        if (!checked.success) throw new Invalid('custom_tags', checked.error.issues[0]?.message ?? 'invalid');
      }
      const commitSha = flags.gitCommitSha?.trim();
      if (commitSha !== undefined && !COMMIT_SHA_PATTERN.test(commitSha))
        throw new Invalid('git_commit_sha', 'must be 40 or 64 hex characters');
      const repositoryUrl = flags.gitRepositoryUrl?.trim();
      if ((commitSha === undefined) !== (repositoryUrl === undefined))
        throw new Invalid(commitSha ? 'git_repository_url' : 'git_commit_sha', 'git needs both the URL and the commit');
      const event: TestEvent = {
        kind: record.kind,
        services,
        startedAt,
        ...(finishedAt !== undefined ? { finishedAt } : {}),
        ...(id !== undefined ? { id } : {}),
        ...(team !== undefined ? { team } : {}),
        ...(commitSha !== undefined ? { commitSha } : {}),
        ...(repositoryUrl !== undefined ? { repositoryUrl } : {}),
        ...(tags ? { customTags: tags } : {}),
      };
      for (const flag of ['env', 'version', 'name', 'severity'] as const) {
        const value = textOf(flag);
        if (value !== undefined) event[flag] = value;
      }
      return { ok: true, event };
    } catch (error) {
      if (error instanceof Invalid) return { ok: false, field: error.field, reason: error.message };
      throw error;
    }
  };
}

export function pathOf(record: PlannedRecord<TestEvent>): string {
  return record.event.kind === 'deployment' ? DEPLOYMENT_PATH : FAILURE_PATH;
}

/** The wire body, from the event as checked and the plan's id and times. */
export function bodyOf(record: PlannedRecord<TestEvent>): string {
  const { event } = record;
  const git =
    event.commitSha && event.repositoryUrl
      ? { repository_url: event.repositoryUrl, commit_sha: event.commitSha }
      : undefined;
  const common = {
    id: record.id,
    startedAt: record.startedAt,
    env: event.env,
    version: event.version,
    team: event.team,
    customTags: event.customTags,
    git,
  };
  return toJson(
    event.kind === 'deployment'
      ? deploymentBody({
          ...common,
          service: event.services[0] ?? '',
          finishedAt: record.finishedAt ?? record.startedAt,
        })
      : failureBody({
          ...common,
          services: [...event.services],
          finishedAt: record.finishedAt,
          name: event.name,
          severity: event.severity,
        }),
  );
}

/** A send to the stand-in, in process: half the latency on the way there, half on the way back, on `clock`. */
export function standInSend(server: RateLimitedApi, clock: Clock, latencyMs = 10): Send<PlannedRecord<TestEvent>> {
  return async (record, signal) => {
    await clock.sleep(latencyMs / 2, signal);
    const reply = server.answer({
      method: 'POST',
      path: pathOf(record),
      body: bodyOf(record),
      headers: { 'dd-api-key': 'test-key' },
    });
    await clock.sleep(latencyMs / 2, signal);
    if (typeof reply === 'string') throw new Error(`the connection was ${reply === 'stall' ? 'stalled' : 'dropped'}`);
    return { status: reply.status, headers: new Headers(reply.headers), message: errorText(reply.body ?? '') };
  };
}
