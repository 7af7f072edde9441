/**
 * Pure: the CLI's `--json` result (one object on its last stdout line) → what the action reports. It reads the
 * contract (`ok`, `kind`, `id`, `status`, times as nanosecond strings, `events` for several services, `ok: false` with
 * `exit_code` and `error`, `dry_run` with `request`) and tolerates the older shapes: times as bare integers, a dry
 * run that prints only the request body, and nothing at all on failure.
 */

export interface EventResult {
  recorded: boolean;
  dryRun: boolean;
  kind?: string;
  id?: string;
  status?: number;
  service?: string;
  services?: string[];
  team?: string;
  env?: string;
  version?: string;
  startedAt?: bigint;
  finishedAt?: bigint;
  repositoryUrl?: string;
  commitSha?: string;
  error?: string;
}

export interface Outcome {
  events: EventResult[];
  /** The failure the CLI reported as a whole, if any. */
  error?: string;
}

type Json = Record<string, unknown>;

/** Nanosecond integers lose digits as JS numbers: quote them before JSON.parse (only these members carry them). */
function parseExact(text: string): unknown {
  return JSON.parse(text.replace(/"(started_at|finished_at)":(-?\d+)/g, '"$1":"$2"'));
}

/** The result object, when `line` is one; undefined otherwise (say, a wrapped command's own output). */
export function parseResult(line: string): Outcome | undefined {
  const text = line.trim();
  if (!text.startsWith('{')) return undefined;
  let value: unknown;
  try {
    value = parseExact(text);
  } catch {
    return undefined;
  }
  if (!isObject(value)) return undefined;
  if (Array.isArray(value.events)) {
    return { events: value.events.filter(isObject).map(toEvent), error: str(value.error) };
  }
  if (typeof value.ok === 'boolean')
    return { events: [toEvent(value)], error: value.ok ? undefined : str(value.error) };
  // The older dry run prints the request body alone: {"data":{"attributes":{…}}}.
  const attributes = attributesOf(value);
  if (attributes) return { events: [{ ...fromAttributes(attributes), recorded: false, dryRun: true }] };
  return undefined;
}

function toEvent(value: Json): EventResult {
  const dryRun = value.dry_run === true;
  const request = isObject(value.request) ? value.request : undefined;
  const body = request ? (typeof request.body === 'string' ? safeParse(request.body) : request.body) : undefined;
  const attributes = isObject(body) ? attributesOf(body) : undefined;
  const fromBody = attributes ? fromAttributes(attributes) : {};
  const git = isObject(value.git) ? value.git : undefined;
  return {
    ...fromBody,
    recorded: value.ok === true && !dryRun,
    dryRun,
    kind: str(value.kind) ?? fromBody.kind,
    id: str(value.id) ?? fromBody.id,
    status: typeof value.status === 'number' ? value.status : undefined,
    service: str(value.service) ?? fromBody.service,
    services: strings(value.services) ?? fromBody.services,
    team: str(value.team) ?? fromBody.team,
    env: str(value.env) ?? fromBody.env,
    version: str(value.version) ?? fromBody.version,
    startedAt: ns(value.started_at) ?? fromBody.startedAt,
    finishedAt: ns(value.finished_at) ?? fromBody.finishedAt,
    repositoryUrl: str(git?.repository_url) ?? fromBody.repositoryUrl,
    commitSha: str(git?.commit_sha) ?? fromBody.commitSha,
    error: value.ok === false ? str(value.error) : undefined,
  };
}

function attributesOf(body: Json): Json | undefined {
  const data = isObject(body.data) ? body.data : undefined;
  return data && isObject(data.attributes) ? data.attributes : undefined;
}

function fromAttributes(attributes: Json): Omit<EventResult, 'recorded' | 'dryRun'> {
  const git = isObject(attributes.git) ? attributes.git : undefined;
  return {
    kind: Array.isArray(attributes.services) ? 'incident' : 'deployment',
    id: str(attributes.id),
    service: str(attributes.service),
    services: strings(attributes.services),
    team: str(attributes.team),
    env: str(attributes.env),
    version: str(attributes.version),
    startedAt: ns(attributes.started_at),
    finishedAt: ns(attributes.finished_at),
    repositoryUrl: str(git?.repository_url),
    commitSha: str(git?.commit_sha),
  };
}

/** Nanoseconds from a decimal string (the contract), or an RFC 3339 time (what read-back answers carry). */
function ns(value: unknown): bigint | undefined {
  if (typeof value !== 'string') return undefined;
  if (/^-?\d+$/.test(value)) return BigInt(value);
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : BigInt(ms) * 1_000_000n;
}

function safeParse(text: string): unknown {
  try {
    return parseExact(text);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : undefined;
}
