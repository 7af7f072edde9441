/**
 * The one redactor. Every byte dora writes to stdout or stderr passes through a Redactor (src/output/reporter.ts
 * builds its streams on it), so whatever message produced a text, no credential reaches a terminal or a CI log:
 * - the literal secrets it was told about, wherever they came from: API and application keys from the environment,
 *   values given to credential-looking flags (`--api-key=…`, even unknown ones), user info of every configured URL
 *   (proxies, API base URL, repository URLs), raw, percent-encoded and decoded;
 * - user info in any `scheme://user:password@host` inside the text, for URLs it was not told about.
 * Control characters from input are shown escaped (`\u001b`), so input cannot act on the terminal or forge lines.
 */

/**
 * Shorter bare secrets are not masked: they would hide ordinary words and digits, and corrupt a JSON result (real
 * keys are 32 or 40 characters). User info (`bob:pw@`) is masked whatever its length: it cannot be mistaken.
 */
export const MIN_SECRET_LENGTH = 8;

const MASK = '[redacted]';

/** `scheme://user:pass@` in free text, for URLs no configuration named. Stops at whitespace, so a spaced password
 * is caught by the literal secrets instead. */
const URL_USER_INFO = /([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^\s/?#@]*(?::[^\s@]*)?@(?=[^\s@]*[A-Za-z0-9\]])/g;

/** A Datadog API key's shape: 32 hex characters (a commit SHA has 40 or 64). */
const API_KEY_SHAPE = /^[a-fA-F0-9]{32}$/;

/** Flags whose value is a credential, whatever the exact spelling a user guessed (`--api-key`, `--dd-app-key`…). */
const CREDENTIAL_FLAG = /^--?[A-Za-z0-9_-]*(key|token|secret|password|passwd|auth)[A-Za-z0-9_-]*$/i;

export interface Redactor {
  /** Masks the secrets and escapes control characters: for any text dora prints. */
  redact(text: string): string;
  /** Masks the secrets only: for text whose control characters are dora's own (colours). */
  mask(text: string): string;
  /** Adds more secrets (found later, e.g. in a proxy URL); returns the same redactor. */
  add(...secrets: Array<string | undefined>): Redactor;
}

export function createRedactor(secrets: Iterable<string | undefined> = []): Redactor {
  const known = new Set<string>();
  const redactor: Redactor = {
    add(...more) {
      for (const secret of more) {
        if (secret === undefined || (secret.length < MIN_SECRET_LENGTH && !secret.endsWith('@'))) continue;
        for (const form of spellings(secret)) known.add(form);
      }
      return redactor;
    },
    redact(text) {
      return escapeControls(redactor.mask(text));
    },
    mask(text) {
      let out = text;
      // Longest first, so a secret that contains another is masked whole.
      // User info (`bob:pw@`) goes whole, leaving `http://proxy:3128`; any other secret becomes [redacted].
      for (const secret of [...known].sort((a, b) => b.length - a.length)) {
        out = out.split(secret).join(secret.endsWith('@') ? '' : MASK);
      }
      return out.replace(URL_USER_INFO, '$1');
    },
  };
  return redactor.add(...secrets);
}

/** A secret as it may appear: as given, percent-encoded, and percent-decoded. */
function spellings(secret: string): string[] {
  const forms = secret.endsWith('@') ? [secret] : [secret, encodeURIComponent(secret)];
  try {
    forms.push(decodeURIComponent(secret));
  } catch {
    // not valid percent-encoding: the raw form is all there is
  }
  return forms.filter((form) => form.length >= MIN_SECRET_LENGTH || form.endsWith('@'));
}

/**
 * The user info of a URL given in configuration (`http://bob:hunter 2@proxy:3128`): everything between the scheme
 * and the last `@` before the host. Read textually, because the URLs users paste are often not valid URLs: a space,
 * `#` or `/` in an unencoded password is exactly when a URL parser gives up, and exactly what must still be masked.
 */
export function userInfoOf(raw: string): { userInfo: string; password?: string } | undefined {
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(raw.trim());
  const rest = scheme ? raw.trim().slice(scheme[0].length) : raw.trim();
  const at = lastUserInfoAt(rest);
  if (at < 0) return undefined;
  const userInfo = rest.slice(0, at);
  const colon = userInfo.indexOf(':');
  return colon < 0 ? { userInfo } : { userInfo, password: userInfo.slice(colon + 1) };
}

/**
 * The `@` that ends user info: the last one with no `/` before it that is followed by a host; failing that (a `/` in
 * an unencoded password), one followed by a host with a dot or a port and nothing after it, as proxy URLs are.
 */
function lastUserInfoAt(rest: string): number {
  const host = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:[^/?#@\s]*)?([/?#]|$)/;
  const bareHost = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+|[A-Za-z0-9.-]+:\d+|localhost)(:\d+)?\/?$/;
  const candidates: number[] = [];
  for (let at = rest.lastIndexOf('@'); at >= 0; at = at > 0 ? rest.lastIndexOf('@', at - 1) : -1) candidates.push(at);
  const plain = candidates.find((at) => !rest.slice(0, at).includes('/') && host.test(rest.slice(at + 1)));
  if (plain !== undefined) return plain;
  return candidates.find((at) => bareHost.test(rest.slice(at + 1))) ?? -1;
}

/** The secrets in one configured URL: its whole user info (with the `@`) and its password alone. */
export function urlSecrets(raw: string | undefined): string[] {
  if (raw === undefined || !/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(raw.trim())) return [];
  const info = userInfoOf(raw);
  if (!info) return [];
  // A bare user name (`git@`, as in ssh://git@host/…) is no secret, and masking it would mangle scp-style URLs; a
  // long one without a password is usually a token (https://ghp_…@github.com/…).
  if (info.password === undefined && info.userInfo.length < MIN_SECRET_LENGTH) return [];
  return [`${info.userInfo}@`, ...(info.password ? [info.password] : [])];
}

/**
 * Secrets found in the command line: the values of credential-looking flags (`--api-key=X`, `--api-key X`), values
 * shaped like an API key given to any other flag (a key typed where it does not belong, `--site $DD_API_KEY`), and
 * the user info of URLs.
 */
export function argvSecrets(argv: readonly string[]): string[] {
  const found: Array<string | undefined> = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') break; // a wrapped command's own arguments are its business, and dora prints none of them
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    const value = eq >= 0 ? arg.slice(eq + 1) : arg;
    if (CREDENTIAL_FLAG.test(name)) {
      if (eq >= 0) found.push(value);
      else if (argv[i + 1] !== undefined && !(argv[i + 1] as string).startsWith('-')) found.push(argv[i + 1] as string);
      continue;
    }
    // An event id may well be 32 hex characters (`openssl rand -hex 16`): that one is the user's to see.
    const flag = eq >= 0 ? name : argv[i - 1];
    if (API_KEY_SHAPE.test(value) && flag !== '--id') found.push(value);
    found.push(...urlSecrets(value));
  }
  return found.filter((secret): secret is string => secret !== undefined);
}

/**
 * Control characters that came with input (an escape sequence in a service name, a stray carriage return) must not
 * act on the terminal: they are shown as `\u001b` and the like. Newlines and tabs, which messages use, stay.
 */
export function escapeControls(text: string): string {
  return text.replace(
    /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** A user's value inside a sentence: as it is, or JSON-quoted when it holds a control character (a newline too). */
export function shown(value: string): string {
  return /[\u0000-\u001f\u007f-\u009f]/.test(value) ? JSON.stringify(value) : value;
}

/** A URL for messages: user info, query and fragment removed, textually (the URL may not parse). */
export function displayUrl(raw: string): string {
  const text = raw.trim();
  const info = userInfoOf(text);
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(text)?.[0] ?? '';
  const rest = text.slice(scheme.length);
  const withoutUser = info ? rest.slice(info.userInfo.length + 1) : rest;
  return `${scheme}${withoutUser.replace(/[?#].*$/s, '')}`;
}
