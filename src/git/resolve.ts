/**
 * Which repository and commit an event names, and where each came from. Each value is taken from the first level
 * that has it — flag, then DD_GIT_* variables, then the CI provider, then the local checkout — and a value found at
 * one level is kept even when the other value comes from a later one.
 */

import type { Config } from '../config.js';
import { UsageError } from '../errors.js';
import { echoValue } from '../output/credential.js';
import type { Redactor } from '../output/redact.js';
import { refuseCredential } from '../output/refuse.js';
import {
  caseInsensitiveHosts,
  displayUrl,
  hasUserInfo,
  repositoryKey,
  repositoryUrlProblem,
  urlSecrets,
} from '../url.js';
import { type CiGitFacts, type CiIo, detectCiProvider } from './ci-providers.js';
import type { LocalGitFacts, LocalGitReader } from './local.js';

/** A commit as git names it: 40 hex characters (SHA-1) or 64 (SHA-256), nothing in between. */
export const COMMIT_SHA_PATTERN = /^(?:[a-fA-F0-9]{40}|[a-fA-F0-9]{64})$/;

// A type alias, not an interface, so it fits JsonValue's index signature in --json output.
export type GitFacts = {
  repository_url: string;
  commit_sha: string;
};

/** The levels values come from, highest precedence first. */
export type GitLevel = 'flag' | 'environment' | 'ci' | 'local';

export interface GitValue {
  value: string;
  /** Where it came from, for people: `--git-repository-url`, `GitHub Actions environment`, `local checkout`. */
  source: string;
  level: GitLevel;
}

export interface GitResolution {
  /** Both values, or undefined when either could not be found (the API needs the pair). */
  git?: GitFacts | undefined;
  repositoryUrl?: GitValue | undefined;
  commitSha?: GitValue | undefined;
  ci?: CiGitFacts | undefined;
  /** What the local checkout said, when it was asked (for `dora doctor`). */
  local?: LocalGitFacts | undefined;
  warnings: string[];
}

export interface GitInputs {
  flagUrl?: string | undefined;
  flagSha?: string | undefined;
  config: Config;
  cwd: string;
  io: CiIo;
  readLocal: LocalGitReader;
  /**
   * Told the user info of every repository URL read (flag, variable, CI provider, checkout), so that it is masked
   * wherever it might appear; the URLs sent and shown have it removed already.
   */
  redactor?: Pick<Redactor, 'add'> | undefined;
}

type Candidate = GitValue | undefined;

export async function resolveGit(inputs: GitInputs): Promise<GitResolution> {
  const { config } = inputs;
  const warnings: string[] = [];
  const known = (raw: string | undefined) => inputs.redactor?.add(...urlSecrets(raw));
  known(inputs.flagUrl);
  known(config.gitRepositoryUrl);
  /** The repository each level names (valid URLs only), to check a commit from one level against a URL from another. */
  const levelUrls: Partial<Record<GitLevel, Candidate>> = {};

  // Values the user gave on purpose are refused when malformed; values we discover are skipped with a warning.
  const flagUrl = given(inputs.flagUrl, '--git-repository-url', 'flag');
  const envUrl = given(config.gitRepositoryUrl, 'DD_GIT_REPOSITORY_URL', 'environment');
  levelUrls.flag = flagUrl;
  levelUrls.environment = envUrl;
  let url = flagUrl ?? envUrl;
  let sha = givenSha(inputs.flagSha, '--git-commit-sha', 'flag');
  sha ??= givenSha(config.gitCommitSha, 'DD_GIT_COMMIT_SHA', 'environment');

  let ci: CiGitFacts | undefined;
  if (!url || !sha) {
    ci = detectCiProvider(config.vars, inputs.io);
    if (ci) {
      const from = `${ci.provider} environment`;
      warnings.push(...(ci.warnings ?? []));
      known(ci.repositoryUrl);
      levelUrls.ci = discovered(ci.repositoryUrl, namedBy(from, ci.repositoryUrl, config.vars), 'ci', warnings);
      url ??= levelUrls.ci;
      if (!sha && ci.commitSha) {
        if (COMMIT_SHA_PATTERN.test(ci.commitSha)) {
          sha = { value: ci.commitSha, source: namedBy(from, ci.commitSha, config.vars), level: 'ci' };
        } else
          warnings.push(
            `Ignored the commit SHA from the ${from} (${echoValue(ci.commitSha)}): not 40 or 64 hex characters.`,
          );
      }
    }
  }

  let local: LocalGitFacts | undefined;
  if (!url || !sha) {
    local = await inputs.readLocal(inputs.cwd);
    known(local.repositoryUrl);
    if (local.problem) warnings.push(`No git facts from the local checkout: ${local.problem}.`);
    levelUrls.local = discovered(local.repositoryUrl, 'local checkout', 'local', warnings);
    url ??= levelUrls.local;
    if (!sha && local.commitSha) {
      // What git printed is checked as any other source is: a `git` shim on the PATH may print anything.
      if (COMMIT_SHA_PATTERN.test(local.commitSha))
        sha = { value: local.commitSha, source: 'local checkout', level: 'local' };
      else {
        warnings.push(
          `Ignored the commit SHA from the local checkout (${echoValue(local.commitSha)}): not 40 or 64 hex characters.`,
        );
      }
    }
  }

  if (url && sha) checkSameRepository(url, sha, levelUrls[sha.level], caseInsensitiveHosts(config.vars));
  // User info is gone from every URL by now; a secret elsewhere in it (a token as the scp user, or in the path) is
  // refused as in any value dora would send.
  if (url) refuseCredential({ value: url.value, from: url.source }, config.secrets);

  const resolution: GitResolution = { warnings };
  // What the CI provider and the checkout said is kept for doctor, without the credentials they carried.
  if (ci) resolution.ci = ci.repositoryUrl === undefined ? ci : { ...ci, repositoryUrl: displayUrl(ci.repositoryUrl) };
  if (local)
    resolution.local =
      local.repositoryUrl === undefined ? local : { ...local, repositoryUrl: displayUrl(local.repositoryUrl) };
  if (url) resolution.repositoryUrl = url;
  if (sha) resolution.commitSha = sha;
  if (url && sha) resolution.git = { repository_url: url.value, commit_sha: sha.value.toLowerCase() };
  return resolution;
}

/**
 * The git facts an event names by itself, with nothing looked up (an imported record's `git_repository_url` and
 * `git_commit_sha`): each checked as its flag is, and the pair or nothing, as the API takes it. `labels` name the
 * two values in messages.
 */
export function namedGit(
  raw: { url?: string | undefined; sha?: string | undefined },
  labels: { url: string; sha: string },
): GitFacts | undefined {
  const url = given(raw.url?.trim(), labels.url, 'flag');
  const sha = givenSha(raw.sha, labels.sha, 'flag');
  if (url && sha) return { repository_url: url.value, commit_sha: sha.value.toLowerCase() };
  if (url)
    throw new UsageError(`${labels.url} needs ${labels.sha}: Datadog takes the repository and the commit together.`);
  if (sha)
    throw new UsageError(`${labels.sha} needs ${labels.url}: Datadog takes the repository and the commit together.`);
  return undefined;
}

/**
 * Where a CI provider's value came from, naming the variable that holds it as it was read (`GitLab CI environment,
 * CI_COMMIT_SHA`), so `dora doctor` and --verbose say which one to look at. A value the provider put together (a URL
 * from its parts, a commit from its event payload) is the provider's environment as a whole.
 */
function namedBy(from: string, value: string | undefined, vars: Readonly<Record<string, string | undefined>>): string {
  if (value === undefined) return from;
  const variable = Object.keys(vars).find((name) => vars[name]?.trim() === value);
  return variable === undefined ? from : `${from}, ${variable}`;
}

/**
 * A commit is paired with a URL from another level only when that level names no repository, or the same one: a
 * GITHUB_SHA of the deploy repository sent with `--git-repository-url` of the service repository would make Datadog
 * compute lead time against a commit that repository does not have. Hosts compare case-insensitively, and so do owner
 * and name on the hosts that treat them so (`GITHUB_REPOSITORY=Org/Repo` is github.com/org/repo).
 */
function checkSameRepository(url: GitValue, sha: GitValue, shaLevelUrl: Candidate, ignoreCase: string[]): void {
  if (url.level === sha.level || shaLevelUrl === undefined) return;
  if (repositoryKey(url.value, ignoreCase) === repositoryKey(shaLevelUrl.value, ignoreCase)) return;
  throw new UsageError(
    `The repository URL (${url.value}, from ${url.source}) and the commit SHA (from ${sha.source}) name different ` +
      `repositories: the commit belongs to ${shaLevelUrl.value} (from ${shaLevelUrl.source}). ` +
      'Pass --git-commit-sha with the commit of the repository you name.',
  );
}

function given(raw: string | undefined, source: string, level: GitLevel): Candidate {
  if (raw === undefined) return undefined;
  const problem = repositoryUrlProblem(raw);
  // The value is shown without its user info, and only when what is left cannot be a credential.
  if (problem !== undefined) throw new UsageError(`${source}: ${echoValue(displayUrl(raw))} ${problem}.`);
  const value = displayUrl(raw);
  return { value, source: hasUserInfo(raw) ? `${source}, credentials removed` : source, level };
}

function givenSha(raw: string | undefined, source: string, level: GitLevel): Candidate {
  if (raw === undefined) return undefined;
  const value = raw.trim();
  if (!COMMIT_SHA_PATTERN.test(value)) {
    throw new UsageError(
      `${source}: ${echoValue(value)} is not a commit SHA (40 or 64 hexadecimal characters, as \`git rev-parse HEAD\` prints).`,
    );
  }
  return { value, source, level };
}

/** A URL found in CI variables or the checkout: dropped with a warning naming its source when it cannot be sent. */
function discovered(raw: string | undefined, source: string, level: GitLevel, warnings: string[]): Candidate {
  if (raw === undefined || raw.trim() === '') return undefined;
  const problem = repositoryUrlProblem(raw);
  if (problem !== undefined) {
    warnings.push(
      `Ignored the repository URL from the ${source}: it ${problem}. ` +
        'Give the URL with --git-repository-url or DD_GIT_REPOSITORY_URL.',
    );
    return undefined;
  }
  return { value: displayUrl(raw), source, level };
}
