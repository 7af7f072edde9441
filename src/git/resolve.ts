/**
 * Which repository and commit an event names, and where each came from. Each value is taken from the first level
 * that has it — flag, then DD_GIT_* variables, then the CI provider, then the local checkout — and a value found at
 * one level is kept even when the other value comes from a later one.
 */
import { UsageError } from '../errors.js';
import { SHA_PATTERN } from '../input/fields.js';
import type { Config } from '../config.js';
import { detectCiProvider, type CiGitFacts, type CiIo } from './ci-providers.js';
import type { LocalGitReader } from './local.js';
import { hasUserInfo, isLocalPath, sanitizeRepositoryUrl } from './url.js';

// A type alias, not an interface, so it fits JsonValue's index signature in --json output.
export type GitFacts = {
  repository_url: string;
  commit_sha: string;
};

export interface GitResolution {
  /** Both values, or undefined when either could not be found (the API needs the pair). */
  git?: GitFacts;
  repositoryUrl?: { value: string; source: string };
  commitSha?: { value: string; source: string };
  ci?: CiGitFacts;
  warnings: string[];
}

export interface GitInputs {
  flagUrl?: string;
  flagSha?: string;
  config: Config;
  cwd: string;
  io: CiIo;
  readLocal: LocalGitReader;
}

type Candidate = { value: string; source: string } | undefined;

export async function resolveGit(inputs: GitInputs): Promise<GitResolution> {
  const { config } = inputs;
  const warnings: string[] = [];

  // Values the user gave on purpose are refused when malformed; values we discover are skipped with a warning.
  let url = given(inputs.flagUrl, '--git-repository-url');
  let sha = givenSha(inputs.flagSha, '--git-commit-sha');
  url ??= given(config.gitRepositoryUrl, 'DD_GIT_REPOSITORY_URL');
  sha ??= givenSha(config.gitCommitSha, 'DD_GIT_COMMIT_SHA');

  let ci: CiGitFacts | undefined;
  if (!url || !sha) {
    ci = detectCiProvider(config.vars, inputs.io);
    if (ci) {
      const from = `${ci.provider} environment`;
      url ??= discovered(ci.repositoryUrl, from);
      if (!sha && ci.commitSha) {
        if (SHA_PATTERN.test(ci.commitSha)) sha = { value: ci.commitSha, source: from };
        else warnings.push(`Ignored the commit SHA from the ${from} (${JSON.stringify(ci.commitSha)}): not 40 to 64 hex characters.`);
      }
    }
  }

  if (!url || !sha) {
    const local = await inputs.readLocal(inputs.cwd);
    if (local.problem) warnings.push(`No git facts from the local checkout: ${local.problem}.`);
    if (!url && local.repositoryUrl && isLocalPath(local.repositoryUrl)) {
      warnings.push(
        `Ignored the local checkout's remote (${sanitizeRepositoryUrl(local.repositoryUrl)}): a folder on this machine, not a ` +
          'repository URL Datadog can link to. Give the URL with --git-repository-url or DD_GIT_REPOSITORY_URL.',
      );
    } else {
      url ??= discovered(local.repositoryUrl, 'local checkout');
    }
    sha ??= discovered(local.commitSha, 'local checkout');
  }

  const resolution: GitResolution = { warnings };
  if (ci) resolution.ci = ci;
  if (url) resolution.repositoryUrl = url;
  if (sha) resolution.commitSha = sha;
  if (url && sha) resolution.git = { repository_url: url.value, commit_sha: sha.value.toLowerCase() };
  return resolution;
}

function given(raw: string | undefined, source: string): Candidate {
  if (raw === undefined) return undefined;
  const value = sanitizeRepositoryUrl(raw);
  if (value === '') throw new UsageError(`${source} must not be empty.`);
  return { value, source: hasUserInfo(raw) ? `${source}, credentials removed` : source };
}

function givenSha(raw: string | undefined, source: string): Candidate {
  if (raw === undefined) return undefined;
  const value = raw.trim();
  if (!SHA_PATTERN.test(value)) {
    throw new UsageError(
      `${source}: ${JSON.stringify(value)} is not a commit SHA (40 to 64 hexadecimal characters, as \`git rev-parse HEAD\` prints).`,
    );
  }
  return { value, source };
}

function discovered(raw: string | undefined, source: string): Candidate {
  if (raw === undefined || raw.trim() === '') return undefined;
  return { value: sanitizeRepositoryUrl(raw), source };
}
