/** Events for the stand-in DORA API, and a page fetcher that sends each list request to it as Datadog's client would. */
import type { PageFetcher, PageRequest } from '../../src/metrics/paging.js';
import { type DoraApi, doraApi, type StoredEvent } from '../helpers/dora-api.js';
import { checkAgainstModel } from '../helpers/models.js';

export const SECOND = 1_000_000_000n;
export const MINUTE = 60n * SECOND;
export const HOUR = 60n * MINUTE;
export const DAY = 24n * HOUR;

/** An ISO instant (UTC) as nanoseconds. */
export function at(iso: string): bigint {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad instant ${iso}`);
  return BigInt(ms) * 1_000_000n;
}

export interface DeploymentSeed {
  service?: string;
  env?: string;
  team?: string;
  version?: string;
  started?: bigint;
  sha?: string;
  /** Members a live org's list answers carry: change_failure, deployment_type, recovery_time_sec, remediation, commits. */
  extra?: Record<string, unknown>;
}

export function deployment(id: string, finished: bigint, seed: DeploymentSeed = {}): StoredEvent {
  return {
    kind: 'deployment',
    id,
    attributes: {
      service: seed.service ?? 'shop',
      ...(seed.env === undefined ? {} : { env: seed.env }),
      ...(seed.team === undefined ? {} : { team: seed.team }),
      ...(seed.version === undefined ? {} : { version: seed.version }),
      started_at: String(seed.started ?? finished - MINUTE),
      finished_at: String(finished),
      ...(seed.sha === undefined
        ? {}
        : { git: { repository_url: 'https://github.com/acme/shop.git', commit_sha: seed.sha } }),
      ...seed.extra,
    },
  };
}

export interface FailureSeed {
  services?: string[];
  env?: string;
  team?: string;
  extra?: Record<string, unknown>;
}

export function failure(
  id: string,
  started: bigint,
  finished: bigint | undefined,
  seed: FailureSeed = {},
): StoredEvent {
  return {
    kind: 'incident',
    id,
    attributes: {
      services: seed.services ?? ['shop'],
      ...(seed.env === undefined ? {} : { env: seed.env }),
      ...(seed.team === undefined ? {} : { team: seed.team }),
      started_at: String(started),
      ...(finished === undefined ? {} : { finished_at: String(finished) }),
      ...seed.extra,
    },
  };
}

export interface StandIn {
  api: DoraApi;
  fetchPage: PageFetcher;
  /** Every page asked for, in order. */
  requests: PageRequest[];
}

/**
 * The stand-in with these events, and a fetcher that posts each page request to it with an application key, checks
 * the body against Datadog's published list request model, and fails on any answer but a 200, as the engine would.
 */
export function standIn(events: StoredEvent[], options: { shuffleTies?: boolean } = {}): StandIn {
  const api = doraApi(events);
  if (options.shuffleTies) api.shuffleTies = true;
  const requests: PageRequest[] = [];
  const fetchPage: PageFetcher = async (request) => {
    requests.push(request);
    const { kind, ...attributes } = request;
    const body = JSON.stringify({
      data: {
        type: kind === 'deployment' ? 'dora_deployments_list_request' : 'dora_failures_list_request',
        attributes,
      },
    });
    checkAgainstModel(body, kind === 'deployment' ? 'DORAListDeploymentsRequest' : 'DORAListFailuresRequest');
    const reply = api.answer({
      method: 'POST',
      path: kind === 'deployment' ? '/api/v2/dora/deployments' : '/api/v2/dora/failures',
      body,
      headers: { 'dd-api-key': 'api-key-for-tests', 'dd-application-key': 'app-key-for-tests' },
    });
    if (typeof reply === 'string' || reply.status !== 200)
      throw new Error(`stand-in answered ${JSON.stringify(reply)}`);
    return JSON.parse(reply.body ?? '') as unknown;
  };
  return { api, fetchPage, requests };
}
