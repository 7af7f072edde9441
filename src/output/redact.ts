/**
 * The one redactor. Every byte dora writes to stdout or stderr passes through a Redactor (src/output/reporter.ts
 * builds its streams on it), so whatever message produced a text, no credential reaches a terminal or a CI log.
 *
 * It masks known secrets only, never by shape (a 32-hex `--version` is a build id, and the dry-run body must stay
 * the exact body):
 * - the literal secrets it was told about: the keys the run holds (every key variable, not only the winner), values of
 *   variables and options whose name says they hold a credential, and the user info of every URL the run read
 *   (proxies, API base URL, repository URLs), raw, percent-encoded and decoded;
 * - user info in any `scheme://user:password@host` inside the text, for URLs it was not told about.
 * Control characters from input are shown escaped (`\u001b`), so input cannot act on the terminal or forge lines.
 */
import { escapeInvisible, hasInvisible } from '../api/plain-text.js';
import { hasUserInfo, removeUserInfoInText, urlSecrets } from '../url.js';
import { argvCredentials } from './command-line.js';
import { isCredentialName, MASK, MIN_SECRET_LENGTH } from './credential.js';

export interface Redactor {
  /** Masks the known secrets and URL user info, and escapes control characters: for text written to a stream. */
  redact(text: string): string;
  /** Masks only, leaving control characters to the caller: for a value shown inside other quoting. */
  mask(text: string): string;
  /** Adds more secrets (found later, e.g. the checkout's origin URL); returns the same redactor. */
  add(...secrets: Array<string | undefined>): Redactor;
}

export function createRedactor(secrets: Iterable<string | undefined> = []): Redactor {
  const known = new Set<string>();
  // Longest first, so a secret that contains another is masked whole; kept sorted as secrets arrive.
  let ordered: string[] = [];
  const redactor: Redactor = {
    add(...more) {
      for (const secret of more) {
        if (secret === undefined) continue;
        for (const form of spellings(secret)) known.add(form);
      }
      ordered = [...known].sort((a, b) => b.length - a.length);
      return redactor;
    },
    mask(text) {
      let out = text;
      // User info (`bob:pw@`) goes whole, leaving `http://proxy:3128`; any other secret becomes [redacted].
      for (const secret of ordered) out = out.split(secret).join(secret.endsWith('@') ? '' : MASK);
      return removeUserInfoInText(out);
    },
    redact(text) {
      return escapeControls(redactor.mask(text));
    },
  };
  return redactor.add(...secrets);
}

/** A secret as it may appear: as given, percent-encoded, and percent-decoded; user info (`…@`) whatever its length. */
function spellings(secret: string): string[] {
  if (secret.endsWith('@')) return secret.length > 1 ? [secret] : [];
  const forms = [secret, encodeURIComponent(secret)];
  try {
    forms.push(decodeURIComponent(secret));
  } catch {
    // not valid percent-encoding: the raw form is all there is
  }
  return forms.filter((form) => form.length >= MIN_SECRET_LENGTH);
}

/** The variables that hold Datadog keys, whatever their names say. */
const KEY_VARIABLES = ['DATADOG_API_KEY', 'DD_API_KEY', 'DATADOG_APP_KEY', 'DD_APP_KEY'];

/**
 * Every secret the environment holds, for the redactor: the keys (all of them, not only the winner), the value of
 * every variable whose name says it is a credential (`CI_JOB_TOKEN`, `DB_PASSWORD`), and the user info of every URL
 * in any variable (a CI provider's clone URL carries the job token; proxies and DD_GIT_REPOSITORY_URL their
 * passwords). Names are judged by their parts (see isCredentialName): GIT_AUTHOR_NAME and PWD hold no credential.
 */
export function environmentSecrets(env: Readonly<Record<string, string | undefined>>): string[] {
  const found: string[] = [];
  for (const [name, raw] of Object.entries(env)) {
    const value = raw?.trim();
    if (!value) continue;
    if (KEY_VARIABLES.includes(name) || isCredentialName(name)) found.push(value);
    if (value.includes('@')) found.push(...urlSecrets(value));
  }
  return found;
}

/**
 * Secrets found in the command line: the values of credential-named options of dora's own (`--api-key=X`,
 * `--api-key X`, which dora does not have and refuses, naming only the option), and the user info of every URL, the
 * wrapped command's included. The wrapped command's other arguments are masked where they are shown
 * (src/output/command-line.ts), not here: a value like `--skip-auth checkout` would otherwise mask the service name
 * `checkout` in the body.
 */
export function argvSecrets(argv: readonly string[]): string[] {
  const dash = argv.indexOf('--');
  const own = dash < 0 ? argv : argv.slice(0, dash);
  return [
    // `--token --verbose`: the next word was an option, not a value, and masking it everywhere would garble messages.
    ...argvCredentials(own).filter((value) => !/^--?[A-Za-z][\w-]*$/.test(value)),
    ...argv.flatMap(urlsIn).flatMap(urlSecrets),
  ];
}

/**
 * The URLs in one word: the word itself (or its value after `--opt=`) when it is one, spaces in a password included;
 * otherwise each whitespace-separated piece that starts with a scheme, and an scp-style remote with a password.
 */
function urlsIn(word: string): string[] {
  const value = word.replace(/^-{1,2}[\w.-]+=/, '');
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(value) || hasUserInfo(value)) return [value];
  return value.split(/\s+/).flatMap((piece) => {
    const at = piece.search(/(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]*:\/\//);
    return at < 0 ? [] : [piece.slice(at)];
  });
}

/**
 * Control characters that came with input (an escape sequence in a service name, a stray carriage return) must not
 * act on the terminal: they are shown as `\u001b` and the like. Newlines and tabs, which messages use, stay.
 */
export function escapeControls(text: string): string {
  return escapeInvisible(text, true);
}

/** A user's value inside a sentence: as it is, or JSON-quoted when it holds a control character (a newline too). */
export function shown(value: string): string {
  // JSON escapes C0 controls as \n and the like; the rest (C1, bidi) are escaped after it.
  return hasInvisible(value) ? escapeInvisible(JSON.stringify(value)) : value;
}
