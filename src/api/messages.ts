/**
 * What a failed request means to the user: one message per failure kind, worded for what was being done (recording an
 * event, reading, updating or deleting one), with the exit code it deserves. The request engine only says what
 * happened; this module says what to do about it, and is the one place a failure is worded.
 *
 * Every message is one line of bounded length without control characters, whatever the server sent: the parts that
 * came from outside (the API's words, a redirect's target, a library's error text) arrive cleaned and cut
 * (src/api/plain-text.ts), and the whole is checked once more on the way out.
 */

import { DeliveryError, type DoraError, RejectedError, UnauthorizedError } from '../errors.js';
import type { ProxyUrl } from '../url.js';
import { displayUrl } from '../url.js';
import { BODY_LIMIT } from './body.js';
import { plainText } from './plain-text.js';
import { type RequestFailure, seconds } from './request.js';

export type Action = 'record' | 'read' | 'update' | 'delete';

export interface FailureSubject {
  action: Action;
  /** "deployment", "incident": for "no such deployment". */
  noun: string;
  /** The API host the keys belong to, e.g. api.datadoghq.eu. */
  host: string;
  proxy?: ProxyUrl | undefined;
  /** The call reads many events (a list), not one by its id. */
  many?: boolean | undefined;
}

/** No message is longer than this, whatever went into it. */
export const MAX_MESSAGE = 2000;

/** The permission an application key needs for each action (Datadog's DORA Metrics API reference). */
const PERMISSION: Partial<Record<Action, string>> = {
  read: 'dora_metrics_read',
  update: 'dora_metrics_write',
  delete: 'dora_metrics_write',
};

export function failureError(failure: RequestFailure, subject: FailureSubject): DoraError {
  const error = worded(failure, subject);
  const message = plainText(error.message, MAX_MESSAGE);
  if (message === error.message) return error;
  const Same = error.constructor as new (message: string) => DoraError;
  return new Same(message);
}

function worded(failure: RequestFailure, subject: FailureSubject): DoraError {
  const d = failure.details;
  const record = subject.action === 'record';
  const statusLine = d.status === undefined ? d.reason : `HTTP ${d.status}${d.apiText ? `: ${d.apiText}` : ''}`;
  // A refusal after failed attempts says so: "on attempt 3, after 2 failed (HTTP 503: busy)".
  const after = d.earlier ? ` on attempt ${d.attempts}, after ${d.earlier.attempts} failed (${d.earlier.reason})` : '';
  const notDone = record ? 'Event not sent' : `The ${subject.noun} was not ${pastTense(subject.action)}`;
  const notDelivered = record ? 'Event not delivered' : 'Request not completed';
  const host = subject.host;
  const proxy = subject.proxy ? ` ${subject.proxy.display}` : '';
  switch (failure.kind) {
    case 'redirect':
      return new DeliveryError(
        `${notDelivered}: the API answered HTTP ${d.status}${d.location ? ` (a redirect to ${plainText(displayUrl(d.location), 200)})` : ''}${after}. ` +
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
      if (subject.many)
        return new RejectedError(
          `${host} has no list of ${subject.noun}s (${statusLine})${after}: it does not serve the DORA API there; ` +
            'check the site (DD_SITE, --site) or --api-url / DORA_API_URL.',
        );
      return record
        ? new RejectedError(`Datadog rejected the event (${statusLine})${after}.`)
        : new RejectedError(
            `No such ${subject.noun} (${statusLine})${after}: check the id, and that it was recorded on ${host}.`,
          );
    case 'rejected':
      return new RejectedError(
        `Datadog rejected the ${record ? 'event' : 'request'} (${statusLine})${after}.` +
          // A 407 is a proxy's status, but this one came through the connection from the server itself.
          (d.status === 407
            ? ` That 407 came from ${host} itself, not from a proxy on the way: check --api-url / DORA_API_URL.`
            : ''),
      );
    case 'proxy-auth':
      return subject.proxy?.hasCredentials
        ? new DeliveryError(
            `${notDelivered}: the proxy${proxy} refused the credentials given in its URL (HTTP 407${after}). Check the ` +
              'user name and password in HTTPS_PROXY / HTTP_PROXY.',
          )
        : new DeliveryError(
            `${notDelivered}: the proxy${proxy} asks for credentials (HTTP 407${after}). Put them in HTTPS_PROXY / ` +
              'HTTP_PROXY as user:password@ before the proxy host.',
          );
    case 'proxy-refused':
      return new DeliveryError(
        `${notDelivered}: the proxy${proxy} refused the tunnel to ${host} (${statusName(d.status)})${after}, so ` +
          'nothing reached Datadog. Check that the proxy lets this machine reach the host, or exempt it with NO_PROXY.',
      );
    case 'certificate':
      return new DeliveryError(
        `${notDelivered}: the TLS certificate of ${d.atProxy ? `the proxy${proxy}` : host} could not be verified ` +
          `(${d.reason})${after}. If a proxy or gateway re-signs HTTPS traffic, point NODE_EXTRA_CA_CERTS at its CA ` +
          'certificate file.',
      );
    case 'tls-handshake':
      return new DeliveryError(
        `${notDone}: the TLS handshake with ${d.atProxy ? `the proxy${proxy}` : host} failed (${handshake(d.tls)})` +
          `${after}; nothing was sent. Datadog's API asks for no client certificate and speaks TLS 1.2 and 1.3: check ` +
          `--api-url / DORA_API_URL${subject.proxy ? ' and the proxy' : ''}. Details: ${d.reason}.`,
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
    case 'unusable-answer':
      return unusableAnswer(failure, subject, after);
    case 'unusable-body':
      return new DeliveryError(
        `${notDelivered}: ${host} answered HTTP ${d.status}, but its body ${bodyProblem(d.body, d.bodyLimit)}${after}, ` +
          'so there is no result to show. Check --api-url / DORA_API_URL, or a proxy or gateway on the way.',
      );
    case 'gave-up':
      return gaveUp(failure, subject);
  }
}

/** An answer that is no final HTTP answer: named for what it was, and honest about what may have happened. */
function unusableAnswer(failure: RequestFailure, subject: FailureSubject, after: string): DeliveryError {
  const d = failure.details;
  const from = d.atProxy ? `the proxy${subject.proxy ? ` ${subject.proxy.display}` : ''}` : subject.host;
  const what =
    d.answer === 'upgrade'
      ? `switched protocols (HTTP ${d.status ?? 101}) instead of answering`
      : d.answer === 'interim-only' || d.answer === 'informational'
        ? `sent only an interim answer (HTTP ${d.status ?? '1xx'}) and no final one`
        : `answered with something that is not valid HTTP (${d.reason})`;
  const advice = d.atProxy
    ? 'Check the proxy in HTTPS_PROXY / HTTP_PROXY (its scheme and port); dora does not retry such an answer.'
    : 'Check --api-url / DORA_API_URL, or a proxy or gateway on the way; dora does not retry such an answer.';
  if (d.atProxy || !d.maybeRecorded || subject.action === 'read') {
    return new DeliveryError(
      `${subject.action === 'record' ? 'Event not delivered' : 'Request not completed'}: ${from} ${what}${after}. ${advice}`,
    );
  }
  const maybe =
    subject.action === 'record'
      ? 'so the event may or may not have been recorded'
      : `so the ${subject.noun} ${subject.action} may or may not have been done`;
  return new DeliveryError(
    `${subject.action === 'record' ? 'Event not confirmed' : `The ${subject.noun} ${subject.action} was not confirmed`}: ` +
      `${from} ${what}${after}. The request had reached it, ${maybe}. ${advice}`,
  );
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

function handshake(tls: RequestFailure['details']['tls']): string {
  switch (tls) {
    case 'client-certificate':
      return 'the server wants a client certificate';
    case 'version':
      return 'the server and this Node.js share no TLS version';
    case 'handshake-failure':
      return 'the server refused it: it may want a client certificate, or share no cipher with this Node.js';
    default:
      return 'the server ended it with an alert';
  }
}

function bodyProblem(problem: RequestFailure['details']['body'], limit = BODY_LIMIT): string {
  switch (problem) {
    case 'too-large':
      return `is larger than the ${limit >= 1024 * 1024 ? `${limit / (1024 * 1024)} MiB` : `${limit} bytes`} dora reads`;
    case 'empty':
      return 'is empty';
    case 'too-deep':
      return 'is JSON nested too deep to be a Datadog answer';
    default:
      return 'is not JSON';
  }
}

/** "502 Bad Gateway": the status with its standard name, when it has one. */
function statusName(status: number | undefined): string {
  if (status === undefined) return 'no status';
  const name = process.getBuiltinModule('node:http').STATUS_CODES[status];
  return name ? `${status} ${name}` : String(status);
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
