/**
 * What a failed request means to the user: one message per failure kind, worded for what was being done (recording an
 * event, reading, updating or deleting one), with the exit code it deserves. The request engine only says what
 * happened; this module says what to do about it.
 */

import { DeliveryError, type DoraError, RejectedError, UnauthorizedError } from '../errors.js';
import type { ProxyUrl } from '../url.js';
import { displayUrl } from '../url.js';
import { type RequestFailure, seconds } from './request.js';

export type Action = 'record' | 'read' | 'update' | 'delete';

export interface FailureSubject {
  action: Action;
  /** "deployment", "incident": for "no such deployment". */
  noun: string;
  /** The API host the keys belong to, e.g. api.datadoghq.eu. */
  host: string;
  proxy?: ProxyUrl;
}

/** The permission an application key needs for each action (Datadog's DORA Metrics API reference). */
const PERMISSION: Partial<Record<Action, string>> = {
  read: 'dora_metrics_read',
  update: 'dora_metrics_write',
  delete: 'dora_metrics_write',
};

export function failureError(failure: RequestFailure, subject: FailureSubject): DoraError {
  const d = failure.details;
  const record = subject.action === 'record';
  const statusLine = d.status === undefined ? d.reason : `HTTP ${d.status}${d.apiText ? `: ${d.apiText}` : ''}`;
  // A refusal after failed attempts says so: "on attempt 3, after 2 failed (HTTP 503: busy)".
  const after = d.earlier ? ` on attempt ${d.attempts}, after ${d.earlier.attempts} failed (${d.earlier.reason})` : '';
  const notDone = record ? 'Event not sent' : `The ${subject.noun} was not ${pastTense(subject.action)}`;
  const notDelivered = record ? 'Event not delivered' : 'Request not completed';
  const host = subject.host;
  switch (failure.kind) {
    case 'redirect':
      return new DeliveryError(
        `${notDelivered}: the API answered HTTP ${d.status}${d.location ? ` (a redirect to ${displayUrl(d.location)})` : ''}${after}. ` +
          'dora does not follow redirects, so the keys never go to another host; check --api-url / DORA_API_URL and DD_SITE.',
      );
    case 'unauthorized': {
      if (record) {
        return new UnauthorizedError(
          `Datadog refused the API key (${statusLine})${after}. Check that DD_API_KEY (or DATADOG_API_KEY) is a valid API key ` +
            `(not an application key) for the site dora sends to, ${host}; set DD_SITE for another site.`,
        );
      }
      const permission = PERMISSION[subject.action];
      return new UnauthorizedError(
        `Datadog refused the keys (${statusLine})${after}. ${capitalised(verbOf(subject.action))} DORA events needs an API key ` +
          `(DD_API_KEY) and an application key (DD_APP_KEY or DATADOG_APP_KEY) with the ${permission} permission, both ` +
          `of the site dora sends to, ${host}; set DD_SITE for another site.`,
      );
    }
    case 'not-found':
      return record
        ? new RejectedError(`Datadog rejected the event (${statusLine})${after}.`)
        : new RejectedError(
            `No such ${subject.noun} (${statusLine})${after}: check the id, and that it was recorded on ${host}.`,
          );
    case 'rejected':
      return new RejectedError(`Datadog rejected the ${record ? 'event' : 'request'} (${statusLine})${after}.`);
    case 'proxy-auth':
      return proxyAuthError(subject, after, notDelivered);
    case 'certificate':
      return new DeliveryError(
        `${notDelivered}: the TLS certificate of ${host} could not be verified (${d.reason})${after}. ` +
          'If a proxy or gateway re-signs HTTPS traffic, point NODE_EXTRA_CA_CERTS at its CA certificate file.',
      );
    case 'tls-setup':
      return new DeliveryError(
        `${notDone}: TLS could not be set up on this machine (${d.reason})${after}. With --fips or DATADOG_FIPS, ` +
          'this Node.js build needs a FIPS-capable OpenSSL; run without FIPS otherwise.',
      );
    case 'not-tls':
      return new DeliveryError(
        subject.proxy
          ? `${notDone}: the TLS handshake got a plain-HTTP answer (wrong version number)${after}, from the proxy ` +
              `${subject.proxy.display} or from ${host} behind it. A proxy is usually given as http:// even ` +
              'for HTTPS traffic: check the scheme and port in HTTPS_PROXY, then the port in --api-url / DORA_API_URL.'
          : `${notDone}: ${host} did not answer in TLS (wrong version number)${after}; it looks ` +
              'like a plain-HTTP port. Check the port in --api-url / DORA_API_URL.',
      );
    case 'bad-request-setup':
      return new DeliveryError(
        `${notDone}: Node.js refused to make the request (${d.reason})${after}. ` +
          (subject.proxy
            ? `With the proxy ${subject.proxy.display}: a proxy is usually given as http://, and an https:// one by host name.`
            : 'Check --api-url / DORA_API_URL.'),
      );
    case 'gave-up':
      return gaveUp(failure, subject);
  }
}

function gaveUp(failure: RequestFailure, subject: FailureSubject): DeliveryError {
  const d = failure.details;
  const why =
    d.giveUp === 'retry-after-too-long'
      ? `the server asked to retry after ${seconds(d.retryAfterMs ?? 0)}, past the ${seconds(d.deadlineMs)} deadline`
      : d.giveUp === 'deadline-too-short'
        ? `the ${seconds(d.deadlineMs)} deadline leaves no time for another attempt`
        : d.giveUp === 'deadline-reached'
          ? `the ${seconds(d.deadlineMs)} deadline was reached`
          : undefined;
  const tries = d.attempts === 1 ? '1 attempt' : `${d.attempts} attempts`;
  const last = `last error: ${d.reason}${why ? ` (${why})` : ''}`;
  const record = subject.action === 'record';
  if (!d.maybeRecorded || subject.action === 'read') {
    return new DeliveryError(`${record ? 'Event not delivered' : 'Request not completed'} after ${tries}; ${last}.`);
  }
  // A timeout or a dropped connection cannot tell "never arrived" from "arrived, answer lost": say so.
  return new DeliveryError(
    record
      ? `Event not confirmed after ${tries}; ${last}. An attempt may have reached Datadog before its ` +
          'answer was lost, so the event may or may not have been recorded.'
      : `The ${subject.noun} ${subject.action} was not confirmed after ${tries}; ${last}. An attempt may have reached ` +
          'Datadog before its answer was lost, so the change may or may not have been made.',
  );
}

function proxyAuthError(subject: FailureSubject, after: string, notDelivered: string): DeliveryError {
  const proxy = subject.proxy ? ` ${subject.proxy.display}` : '';
  if (subject.proxy?.hasCredentials) {
    return new DeliveryError(
      `${notDelivered}: the proxy${proxy} refused the credentials given in its URL (HTTP 407${after}). Check the ` +
        'user name and password in HTTPS_PROXY / HTTP_PROXY.',
    );
  }
  return new DeliveryError(
    `${notDelivered}: the proxy${proxy} asks for credentials (HTTP 407${after}). Put them in HTTPS_PROXY / ` +
      'HTTP_PROXY as user:password@ before the proxy host.',
  );
}

function verbOf(action: Action): string {
  return { record: 'recording', read: 'reading', update: 'updating', delete: 'deleting' }[action];
}

function pastTense(action: Action): string {
  return { record: 'recorded', read: 'read', update: 'updated', delete: 'deleted' }[action];
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
