/**
 * Credentials in a command line, found by position: the value of every option whose name says it holds a
 * credential (`--password=…`, `--token …`, `DB_PASSWORD=…`, `Authorization: Bearer …`, and curl's `-u user:pass`),
 * in dora's own argv and in a wrapped deploy command, inside `sh -c '…'` strings too. Used to show a wrapped command
 * in a dry run (`displayCommand`) and to tell the redactor what dora's own argv holds (`argvCredentials`).
 */
import { displayUrl, hasUserInfo, hostOf, removeUserInfoInText, splitUrl } from '../url.js';
import { isCredentialName, MASK } from './credential.js';
import { shellQuote } from './shell.js';

/** `--name` or `-n` alone: its value is the next word. */
const OPTION = /^-{1,2}[A-Za-z0-9][\w.-]*$/;
/**
 * `--name=value`, `-n=value`, a shell assignment `NAME=value` (`env TOKEN=… ./deploy`), and a setting as many tools
 * take one, dotted (`helm --set image.password=…`).
 */
const NAMED_VALUE = /^(?:-{1,2}[A-Za-z0-9][\w.-]*|[A-Za-z_][\w.-]*)=/;
/** A header glued to its short option: curl's `-H"Authorization: Bearer …"` arrives as `-HAuthorization: …`. */
const GLUED_HEADER = /^-[A-Za-z](?=[A-Za-z][\w-]*:)/;
/** An HTTP header as curl and wget take it: `Authorization: Bearer …`, `X-Api-Key: …`. */
const HEADER = /^[A-Za-z][\w-]*:[ \t]*(?=\S)/;
/** curl's (and wget's, and many tools') `-u user:password`; a value without `:` is a user name and stays. */
const USER_OPTION = /^(?:-u|-U|--user|--proxy-user|--http-user)$/;
/** Text that a shell would read as several words, or with quoting and operators: a script, as `sh -c` takes one. */
const SCRIPT_LIKE = /[\s'"\\;&|<>]/;
/** Scripts inside scripts (`ssh host "sh -c '…'"`) are followed this deep. */
const MAX_DEPTH = 3;

/** Where a word turns secret: from this character offset of `words[index]` (0: the whole word). */
interface Secret {
  index: number;
  from: number;
}

function credentialOffsets(words: readonly string[]): Secret[] {
  const found: Secret[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    const next = words[i + 1];
    if (OPTION.test(word)) {
      // `--token VALUE`: the value is the next word, read as a value even when it looks like an option.
      if (next !== undefined && next !== '--' && takesCredential(word, next)) found.push({ index: ++i, from: 0 });
      continue;
    }
    const named = NAMED_VALUE.exec(word);
    // The script of `sh -c` that starts with an assignment (`sh -c 'TOKEN="a b" ./deploy'`) is read as a script, word
    // by word (below, in maskedWord); elsewhere `NAME=a b` is one value, spaces and all.
    const script = i > 0 && /^-[a-z]*c$/.test(words[i - 1] as string) && SCRIPT_LIKE.test(word);
    if (named && !script) {
      const name = named[0].slice(0, -1);
      const value = word.slice(named[0].length);
      if (takesCredential(name, value)) found.push({ index: i, from: named[0].length });
      else {
        // `--header=Authorization: Bearer …`
        const header = HEADER.exec(value);
        if (header && isCredentialName(header[0].replace(/:[ \t]*$/, '')))
          found.push({ index: i, from: named[0].length + header[0].length });
        // `--set a=1,db.password=…`: a list of settings, one of them a credential; or one setting alone
        // (`--from-literal=password=…`).
        const listed = /(?:^|,)([A-Za-z_][\w.-]*)=/g;
        for (let match = listed.exec(value); match; match = listed.exec(value)) {
          if (isCredentialName(match[1] as string)) {
            found.push({ index: i, from: named[0].length + match.index + match[0].length });
            break;
          }
        }
      }
      continue;
    }
    const glued = GLUED_HEADER.exec(word);
    if (glued) {
      const header = HEADER.exec(word.slice(glued[0].length));
      if (header && isCredentialName(header[0].replace(/:[ \t]*$/, ''))) {
        found.push({ index: i, from: glued[0].length + header[0].length });
        continue;
      }
    }
    const header = HEADER.exec(word);
    if (header && isCredentialName(header[0].replace(/:[ \t]*$/, ''))) {
      found.push({ index: i, from: header[0].length });
      continue;
    }
    // curl's attached form: -uadmin:pw
    if (/^-u[^-].*:/.test(word)) found.push({ index: i, from: 2 });
  }
  return found;
}

function takesCredential(name: string, value: string): boolean {
  return isCredentialName(name) || (USER_OPTION.test(name) && value.includes(':'));
}

/**
 * The values of credential-named options in `argv` (scripts inside words included), for the redactor: dora's own
 * argv holds none on purpose, so any there was a mistake (`--api-key=…`) that must not be printed back.
 */
export function argvCredentials(argv: readonly string[], depth = 0): string[] {
  const found = credentialOffsets(argv);
  const values = found.map(({ index, from }) => (argv[index] as string).slice(from));
  if (depth < MAX_DEPTH) {
    const taken = new Set(found.map(({ index }) => index));
    argv.forEach((word, index) => {
      if (!taken.has(index) && SCRIPT_LIKE.test(word) && !startsWithUrl(word))
        values.push(
          ...argvCredentials(
            shellWords(word).map(({ value }) => value),
            depth + 1,
          ),
        );
    });
  }
  return values.filter((value) => value !== '');
}

/** A URL, or `--opt=` and a URL: the whole word is the URL, spaces in its password included. */
function startsWithUrl(word: string): boolean {
  return /^(?:-{1,2}[\w.-]+=)?[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(word);
}

/**
 * A wrapped command as a dry run may show it: one line a shell could take, with URL user info removed, the value of
 * every credential-named option masked (in `--opt=value`, `--opt value` and `NAME=value`, and inside `sh -c '…'`
 * strings and other script-like words alike), and the secrets `redactor` knows (the keys of this run) masked.
 */
export function displayCommand(argv: readonly string[], redactor?: { mask(text: string): string }): string {
  return maskedWords(argv, 0)
    .map((word) => (redactor ? redactor.mask(word) : word))
    .map(shellQuote)
    .join(' ');
}

function maskedWords(words: readonly string[], depth: number): string[] {
  const masked = words.map((word) => word);
  const done = new Set<number>();
  for (const { index, from } of credentialOffsets(words)) {
    masked[index] = `${(words[index] as string).slice(0, from)}${MASK}`;
    done.add(index);
  }
  return masked.map((word, index) => (done.has(index) ? word : maskedWord(word, depth)));
}

/**
 * One word with no credential option of its own: URL user info removed (and query parameters named as credentials,
 * `?access_token=…`, masked), and scripts inside it masked.
 */
function maskedWord(word: string, depth: number): string {
  if (startsWithUrl(word)) {
    const at = word.search(/(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]*:\/\//);
    const { scheme, rest } = splitUrl(word.slice(at));
    const query = rest.replace(/([?&;])([^=&;#]+)=([^&;#]*)/g, (pair, separator: string, name: string) =>
      isCredentialName(name) ? `${separator}${name}=${MASK}` : pair,
    );
    return `${word.slice(0, at)}${scheme}${query}`;
  }
  // A script first: its words are masked one by one (an scp URL among them too). Read whole as an scp URL, a script
  // such as `TOKEN='a:@b' ./deploy` would lose a character of the token and keep the rest.
  if (depth < MAX_DEPTH && SCRIPT_LIKE.test(word)) return maskedScript(word, depth + 1);
  // The scp form with a password: `git clone bot:TOKEN@host:org/repo`.
  if (hasUserInfo(word) && hostOf(splitUrl(word)) !== undefined) return displayUrl(word);
  return removeUserInfoInText(word);
}

/** A script with its masked words put back in place, each quoted for the shell; the rest of its text untouched. */
function maskedScript(script: string, depth: number): string {
  const words = shellWords(script);
  const masked = maskedWords(
    words.map(({ value }) => value),
    depth,
  );
  let out = script;
  for (let i = words.length - 1; i >= 0; i--) {
    const word = words[i] as ShellWord;
    if (masked[i] !== word.value)
      out = `${out.slice(0, word.start)}${shellQuote(masked[i] as string)}${out.slice(word.end)}`;
  }
  return out;
}

/** One word of a shell script: its value once quotes and escapes are undone, and where its text stands. */
export interface ShellWord {
  value: string;
  start: number;
  end: number;
}

const OPERATOR = /[\s;&|()<>]/;

/**
 * The words of a POSIX shell script, as far as showing it needs: quotes ('…', "…" with its escapes), backslashes,
 * operators and comments. Expansions (`$X`, `$(…)`) stay literal; an unclosed quote runs to the end.
 */
export function shellWords(script: string): ShellWord[] {
  const words: ShellWord[] = [];
  let i = 0;
  while (i < script.length) {
    if (OPERATOR.test(script[i] as string)) {
      i++;
      continue;
    }
    if (script[i] === '#') {
      const newline = script.indexOf('\n', i);
      i = newline < 0 ? script.length : newline;
      continue;
    }
    const start = i;
    let value = '';
    while (i < script.length && !OPERATOR.test(script[i] as string)) {
      const c = script[i] as string;
      if (c === "'") {
        const close = script.indexOf("'", i + 1);
        const end = close < 0 ? script.length : close;
        value += script.slice(i + 1, end);
        i = end + 1;
      } else if (c === '"') {
        i++;
        while (i < script.length && script[i] !== '"') {
          const escaped = script[i] === '\\' && '"\\$`\n'.includes(script[i + 1] ?? 'x');
          if (escaped && script[i + 1] !== '\n') value += script[i + 1];
          else if (!escaped) value += script[i];
          i += escaped ? 2 : 1;
        }
        i++;
      } else if (c === '\\') {
        if (i + 1 < script.length && script[i + 1] !== '\n') value += script[i + 1];
        i += 2;
      } else {
        value += c;
        i++;
      }
    }
    words.push({ value, start, end: Math.min(i, script.length) });
  }
  return words;
}
