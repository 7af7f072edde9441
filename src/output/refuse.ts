/**
 * The one refusal of a credential in a value dora would send: in an event, a search, an id, a host name. Used by the
 * input core, git's resolution and the import's record check alike.
 */
import { UsageError } from '../errors.js';
import { removeUserInfoInText } from '../url.js';
import { MIN_SECRET_LENGTH } from './credential.js';

/** A value and where it came from (`--env`, `DD_ENV`), as messages name it. */
export interface Named {
  value: string;
  from: string;
}

/**
 * A value that would carry a credential to Datadog (in an event, or a search) is refused, never sent or shown: one
 * that holds a secret this run knows (a key, the value of a variable named as a credential) or a URL with user info
 * (`https://bob:pw@host`). Removing it silently would record something other than what was given.
 */
export function refuseCredential(sourced: Named, secrets: readonly string[]): void {
  const why = credentialIn(sourced.value, secrets);
  if (why) throw new UsageError(`${sourced.from} holds ${why}: dora never sends a credential. Nothing was sent.`);
}

function credentialIn(value: string, secrets: readonly string[]): string | undefined {
  // As given and percent-decoded: `%2F…` or `%30%31…` carries the same secret to whoever decodes it.
  const forms = [value, percentDecoded(value)];
  if (forms.some((form) => removeUserInfoInText(form) !== form)) {
    return 'a URL with credentials in it (user:password@); remove them';
  }
  const known = secrets.filter((secret) => secret.length >= MIN_SECRET_LENGTH);
  if (forms.some((form) => known.some((secret) => form.includes(secret)))) {
    return 'a credential of this environment (a key, or the value of a variable named as a secret)';
  }
  return undefined;
}

/** Every run of percent-escapes decoded (either case of hex); a run that is no UTF-8 stays as it is. */
function percentDecoded(value: string): string {
  if (!value.includes('%')) return value;
  return value.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}
