/**
 * What may hold a credential, decided in one place: option and variable names that say so, and values that could be
 * one. Errors about a bad value name the flag or variable, and echo the value only when it cannot be a credential (a
 * swapped CI secret, `DD_SITE=$DD_API_KEY`, must not end up in a job log). Pure, no imports: the URL module and the
 * redactor both build on it.
 */

/**
 * Shorter literal secrets are not masked by the redactor: they would hide ordinary words and digits, and corrupt a JSON
 * result (real keys are 32 or 40 characters). User info (`bob:pw@`) is masked whatever its length: it cannot be
 * mistaken, and the value of a credential option is masked by position (src/output/command-line.ts).
 */
export const MIN_SECRET_LENGTH = 8;

/** What a masked secret becomes. */
export const MASK = '[redacted]';

/**
 * Name stems that say "this holds a credential", matched against each part of a name (`--dd-api-key` → dd, api,
 * key; `apiKey` → api, Key; `AWS_SECRET_ACCESS_KEY` → …, SECRET, …): a part that ends with one of them (`apikey`,
 * `accesstoken`, `slackwebhook`, `sentrydsn`), or starts with auth but is not author or authority (`authorization`,
 * `authtoken`); and the short
 * forms `pass`, `pat` (a personal access token: `GITHUB_PAT`) and `pwd` (`DB_PWD`; not the shell's `PWD`).
 */
const CREDENTIAL_PART =
  /^(?:[a-z0-9]*(?:password|passwd|passphrase|passcode|token|secret|credential|creds|key|bearer|cookie|jwt|dsn|webhook)s?|auth(?!or(?!iz))[a-z0-9]*|pass|pat|pwd)$/;

/** True when an option, variable or header name says its value is a credential: `--api-key`, `DB_PASSWORD`, `Authorization`. */
export function isCredentialName(name: string): boolean {
  // Most names hold no stem at all: answered without splitting them (dora reads every variable of a CI job).
  if (!/pass|token|secret|cred|key|bearer|auth|cookie|pat|pwd|jwt|dsn|webhook/i.test(name)) return false;
  // The shell's working folders, not passwords (`DB_PWD` is one).
  if (/^(?:OLD)?PWD$/.test(name)) return false;
  const parts = name
    .replace(/^-+/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[\s_.-]+/);
  return parts.some((part) => part !== '' && CREDENTIAL_PART.test(part));
}

/** Characters that separate the words of ordinary values: dates, versions, host names, durations, sentences. */
const SEPARATORS = /[\s.,:;/_+=()[\]-]+/;

/**
 * A word of an ordinary value: a number, a word in one case (or Capitalised), a number with a short lower-case unit or
 * one capital (`10s`, `5min`, `00Z`), a short lower-case prefix with a short number (`v2`, `us3`, `rc1`), or a
 * number, a letter, a number (`04T10`, `1e9`). Nanosecond timestamps have 19 digits; a longer word of letters is more
 * likely a token than a word. Capitals beside digits (`QZX7`, `7Kq`) are how tokens look, not words.
 */
const PLAIN_WORD =
  /^(?:[0-9]{1,19}|[A-Za-z][a-z]{0,15}|[A-Z]{1,16}|[0-9]{1,19}(?:[a-z]{1,3}|[A-Z])|[a-z]{1,3}[0-9]{1,3}|[0-9]{1,19}[A-Za-z][0-9]{1,19})$/;

/** What stands in for a value that is not echoed, inside a sentence that names where it came from. */
const WITHHELD = '(not shown: it may be a credential)';

/** Longer values (a pasted certificate, a JWT) are never echoed: no message needs them whole. */
const MAX_ECHOED_LENGTH = 100;

/**
 * False only for values that cannot be a credential: made of plain words and numbers (`datadoghq.cm`, `yesterday`,
 * `2026-12-04T10:00:00Z`, `5 minutes`, `1.4.2`). Anything else may be one: a mix of letters and digits inside a
 * word (keys, tokens, `hunter22`), mixed case (`MySecret`), symbols (`p@ss!`), non-ASCII or control characters,
 * long runs. A value like `correcthorse` is echoed: it is indistinguishable from a word, and names its setting anyway.
 */
export function mayBeCredential(value: string): boolean {
  const text = value.trim();
  if (text.length > MAX_ECHOED_LENGTH) return true;
  return text.split(SEPARATORS).some((word) => word !== '' && !PLAIN_WORD.test(word));
}

/**
 * A user's value inside an error message: JSON-quoted when it cannot be a credential, otherwise a phrase that says it
 * was withheld. The message names the flag or variable either way: `DD_SITE: "datadoghq.cm" is not a Datadog site`.
 */
export function echoValue(value: string): string {
  return mayBeCredential(value) ? `the value ${WITHHELD}` : JSON.stringify(value);
}

/**
 * The places commander quotes a user's value, as `before` + value + `after`; the value runs to the last `after`, so a
 * quote inside it cannot end it early. Suggestions (`(Did you mean --api-url?)`) hold only dora's own names.
 */
const QUOTED_VALUES: ReadonlyArray<{ before: string; after: RegExp; option?: true }> = [
  { before: "unknown option '", after: /'(?=[^']*$)/, option: true },
  { before: "unknown command '", after: /'(?=[^']*$)/ },
  { before: "argument '", after: /' is invalid\.(?![\s\S]*' is invalid\.)/ },
  { before: "value '", after: /' (?:from env '[^']*' )?is invalid(?![\s\S]*' (?:from env '[^']*' )?is invalid)/ },
];

/**
 * Commander's error text with every user value judged by `echoValue`: an unknown option is named without its value
 * (`unknown option '--pat=…'` → `unknown option '--pat'`), and an unknown command or an invalid argument is echoed
 * only when it cannot be a credential. Call it on everything commander writes as an error (configureOutput's
 * outputError) and on `CommanderError.message`.
 */
export function safeCommanderMessage(text: string): string {
  for (const { before, after, option } of QUOTED_VALUES) {
    const at = text.indexOf(before);
    if (at < 0) continue;
    const start = at + before.length;
    const end = after.exec(text.slice(start));
    if (!end) continue;
    let value = text.slice(start, start + end.index);
    // `--pat=VALUE`: the option is the user's mistake to see, the value is not.
    if (option) value = value.replace(/=[\s\S]*$/, '');
    const shown = mayBeCredential(value.replace(/^-+/, '')) ? WITHHELD : `'${value}'`;
    return `${text.slice(0, at)}${before.slice(0, -1)}${shown}${text.slice(start + end.index + 1)}`;
  }
  return text;
}
