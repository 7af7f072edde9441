/**
 * CI providers as data: how to recognise each one from its environment and where it keeps the repository URL, the
 * commit being built and the branch or tag. Values are returned raw; sanitising URLs and validating SHAs happens in
 * the caller, so this table stays a plain description of each provider's documented variables.
 *
 * Adding a provider means adding one entry to CI_PROVIDERS and one fixture file, test/fixtures/ci/<id>.ts.
 */

import type { Env, FileReader } from '../context.js';

export type { Env };

export interface CiGitFacts {
  /** Human name of the provider, e.g. "GitHub Actions". */
  provider: string;
  repositoryUrl?: string | undefined;
  commitSha?: string | undefined;
  branch?: string | undefined;
  tag?: string | undefined;
  /** Doubts about what was read (e.g. a fallback commit), for the caller to print. */
  warnings?: string[] | undefined;
}

/** Where providers read files from (GitHub's event payload). */
export type CiIo = FileReader;

/** What a provider can tell about the checkout; any field may be missing and is then filled in by the caller. */
export type CiFacts = Omit<CiGitFacts, 'provider'>;

export interface CiProvider {
  /** Stable slug; the provider's cases live in test/fixtures/ci/<id>.ts. */
  readonly id: string;
  /** Human name reported as CiGitFacts.provider. */
  readonly name: string;
  /** True when the environment belongs to this provider. Checked in table order; the first match wins. */
  detect(env: Env): boolean;
  /** Reads whatever the provider exposes; missing variables simply leave fields out. */
  read(env: Env, io: CiIo): CiFacts;
}

// ---------------------------------------------------------------------------------------------------------------
// Small readers shared by the table.

/** A variable's trimmed value; empty or blank values count as unset, since CIs often export empty placeholders. */
function get(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/** The first of several variables that is set. */
function first(env: Env, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = get(env, name);
    if (value !== undefined) return value;
  }
  return undefined;
}

const isSet =
  (name: string) =>
  (env: Env): boolean =>
    get(env, name) !== undefined;

const isEqual =
  (name: string, expected: string) =>
  (env: Env): boolean =>
    get(env, name) === expected;

/**
 * Turns a ref or branch name into facts: `refs/heads/x` is branch x, `refs/tags/x` is tag x, and any other `refs/…`
 * (a pull or merge request ref such as `refs/pull/7/merge`) names no branch at all. Plain names are branches.
 */
function fromRef(ref: string | undefined): CiFacts {
  if (ref === undefined) return {};
  if (ref.startsWith('refs/heads/')) return { branch: ref.slice('refs/heads/'.length) || undefined };
  if (ref.startsWith('refs/tags/')) return { tag: ref.slice('refs/tags/'.length) || undefined };
  if (ref.startsWith('refs/')) return {};
  return { branch: ref };
}

/** A tag name, tolerating a `refs/tags/` prefix. */
function tagName(tag: string | undefined): string | undefined {
  return tag === undefined ? undefined : fromRef(tag.startsWith('refs/') ? tag : `refs/tags/${tag}`).tag;
}

/** Facts from a tag variable when it is set, otherwise from a branch or ref variable. */
function tagOrBranch(tag: string | undefined, branchOrRef: string | undefined): CiFacts {
  const name = tagName(tag);
  return name !== undefined ? { tag: name } : fromRef(branchOrRef);
}

/** `https://<host>/<owner>/<repo>.git` for providers that only expose the parts. */
function hostedRepositoryUrl(host: string | undefined, path: string | undefined): string | undefined {
  return host !== undefined && path !== undefined ? `https://${host}/${path}.git` : undefined;
}

/** Reads `key` of an object parsed from JSON, or undefined for anything else. */
function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/** The GitHub event payload file, parsed; undefined when unset, missing or not JSON. */
function githubEventPayload(env: Env, io: CiIo): unknown {
  const path = get(env, 'GITHUB_EVENT_PATH');
  if (path === undefined) return undefined;
  try {
    const text = io.readFile(path);
    return text === undefined ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}

/** A non-blank string at `keys` inside the payload. */
function payloadString(payload: unknown, ...keys: string[]): string | undefined {
  const value = keys.reduce<unknown>((at, key) => field(at, key), payload);
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

/** Drone and Harness CI share the DRONE_* variables (Harness documents them "for compatibility with Drone"). */
function readDroneVariables(env: Env): CiFacts {
  return {
    repositoryUrl: first(env, 'DRONE_GIT_HTTP_URL', 'DRONE_GIT_SSH_URL'),
    commitSha: get(env, 'DRONE_COMMIT_SHA'),
    // DRONE_SOURCE_BRANCH is the PR head branch, and the pushed branch on push events; DRONE_BRANCH is the target.
    // On Harness tag pushes both hold `refs/tags/<tag>`, which fromRef turns into a tag.
    ...tagOrBranch(get(env, 'DRONE_TAG'), first(env, 'DRONE_SOURCE_BRANCH', 'DRONE_BRANCH')),
  };
}

/** Git hosts for the provider names that Vercel (VERCEL_GIT_PROVIDER) and AppVeyor (APPVEYOR_REPO_PROVIDER) report. */
const SAAS_GIT_HOSTS: Readonly<Record<string, string>> = {
  github: 'github.com',
  gitlab: 'gitlab.com',
  bitbucket: 'bitbucket.org',
};

/** The SaaS host for a provider name (case-insensitive); own keys only, so "constructor" maps to nothing. */
function saasGitHost(provider: string | undefined): string | undefined {
  const key = provider?.toLowerCase();
  return key !== undefined && Object.hasOwn(SAAS_GIT_HOSTS, key) ? SAAS_GIT_HOSTS[key] : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// The table. Order matters only where markers could overlap: Harness before Drone (Harness also sets DRONE=true),
// and providers are recognised by their own marker, never by shared names such as GIT_URL or CI_COMMIT_SHA.

export const CI_PROVIDERS: readonly CiProvider[] = [
  {
    id: 'github-actions',
    name: 'GitHub Actions',
    // docs.github.com "Variables reference": GITHUB_ACTIONS is always true when Actions runs the workflow; some
    // runners and tools set only GITHUB_ACTION (the running step's name), so either marks Actions.
    detect: (env) => isSet('GITHUB_ACTIONS')(env) || isSet('GITHUB_ACTION')(env),
    read(env, io) {
      const server = get(env, 'GITHUB_SERVER_URL');
      const repository = get(env, 'GITHUB_REPOSITORY');
      const event = get(env, 'GITHUB_EVENT_NAME');
      // For pull_request GITHUB_SHA is the synthetic merge commit, for pull_request_target the base branch head; the
      // commit actually proposed is pull_request.head.sha in the event payload (docs: "Events that trigger workflows").
      // For workflow_run GITHUB_SHA is the default branch's head; the commit deployed is the triggering run's head_sha.
      const isPullRequest = event === 'pull_request' || event === 'pull_request_target';
      const warnings: string[] = [];
      let commitSha = get(env, 'GITHUB_SHA');
      if (isPullRequest || event === 'workflow_run') {
        const payload = githubEventPayload(env, io);
        const fromPayload = isPullRequest
          ? payloadString(payload, 'pull_request', 'head', 'sha')
          : payloadString(payload, 'workflow_run', 'head_sha');
        if (fromPayload !== undefined) commitSha = fromPayload;
        else if (commitSha !== undefined) {
          const wanted = isPullRequest ? 'pull_request.head.sha' : 'workflow_run.head_sha';
          warnings.push(
            `GitHub Actions ${event} event: could not read ${wanted} from the event file (GITHUB_EVENT_PATH), so ` +
              `GITHUB_SHA (${commitSha}) is used; it is not ${isPullRequest ? "the pull request's head commit" : "the triggering run's head commit"}. ` +
              'Pass --git-commit-sha to name the commit deployed.',
          );
        }
      }
      return {
        repositoryUrl:
          server !== undefined && repository !== undefined
            ? `${server.replace(/\/+$/, '')}/${repository}.git`
            : undefined,
        commitSha,
        ...(warnings.length > 0 ? { warnings } : {}),
        // GITHUB_HEAD_REF (the PR source branch) is only set for the two pull request events.
        ...(isPullRequest ? { branch: get(env, 'GITHUB_HEAD_REF') } : fromRef(get(env, 'GITHUB_REF'))),
      };
    },
  },
  {
    id: 'gitlab-ci',
    name: 'GitLab CI',
    detect: isSet('GITLAB_CI'),
    read(env) {
      return {
        // CI_REPOSITORY_URL embeds the job token (gitlab-ci-token:…@); the caller strips it.
        repositoryUrl: get(env, 'CI_REPOSITORY_URL'),
        // In merged results pipelines CI_COMMIT_SHA is the merge commit and CI_MERGE_REQUEST_SOURCE_BRANCH_SHA the
        // head of the source branch (GitLab predefined variables reference).
        commitSha: first(env, 'CI_MERGE_REQUEST_SOURCE_BRANCH_SHA', 'CI_COMMIT_SHA'),
        ...tagOrBranch(
          get(env, 'CI_COMMIT_TAG'),
          first(env, 'CI_MERGE_REQUEST_SOURCE_BRANCH_NAME', 'CI_COMMIT_BRANCH', 'CI_COMMIT_REF_NAME'),
        ),
      };
    },
  },
  {
    id: 'jenkins',
    name: 'Jenkins',
    // GIT_URL and GIT_COMMIT come from the Git plugin and can exist outside Jenkins; JENKINS_URL is Jenkins' own.
    detect: isSet('JENKINS_URL'),
    read(env) {
      // Git plugin: GIT_BRANCH is "<remote>/<branch>" with the remote defaulting to origin.
      const gitBranch = get(env, 'GIT_BRANCH')?.replace(/^(refs\/remotes\/)?origin\//, '');
      return {
        // Git plugin: GIT_URL_N replaces GIT_URL when the job has more than one remote.
        repositoryUrl: first(env, 'GIT_URL', 'GIT_URL_1'),
        commitSha: get(env, 'GIT_COMMIT'),
        // Multibranch: CHANGE_BRANCH is the PR source branch (BRANCH_NAME is then "PR-n"), TAG_NAME is set for tags.
        ...tagOrBranch(
          get(env, 'TAG_NAME'),
          first(env, 'CHANGE_BRANCH', 'GIT_LOCAL_BRANCH', 'BRANCH_NAME') ?? gitBranch,
        ),
      };
    },
  },
  {
    id: 'circleci',
    name: 'CircleCI',
    detect: isSet('CIRCLECI'),
    read(env) {
      return {
        repositoryUrl: get(env, 'CIRCLE_REPOSITORY_URL'),
        commitSha: get(env, 'CIRCLE_SHA1'),
        ...tagOrBranch(get(env, 'CIRCLE_TAG'), get(env, 'CIRCLE_BRANCH')),
      };
    },
  },
  {
    id: 'buildkite',
    name: 'Buildkite',
    detect: isSet('BUILDKITE'),
    read(env) {
      return {
        repositoryUrl: get(env, 'BUILDKITE_REPO'),
        // May be a symbolic name such as HEAD (Buildkite docs); the caller validates SHAs.
        commitSha: get(env, 'BUILDKITE_COMMIT'),
        // On GitHub tag pushes BUILDKITE_BRANCH also holds the tag name, so the tag is checked first.
        ...tagOrBranch(get(env, 'BUILDKITE_TAG'), get(env, 'BUILDKITE_BRANCH')),
      };
    },
  },
  {
    id: 'azure-pipelines',
    name: 'Azure Pipelines',
    detect: isSet('TF_BUILD'),
    read(env) {
      return {
        repositoryUrl: first(env, 'SYSTEM_PULLREQUEST_SOURCEREPOSITORYURI', 'BUILD_REPOSITORY_URI'),
        // On PR builds BUILD_SOURCEVERSION is the merge commit; System.PullRequest.SourceCommitId is the PR head. The
        // latter is set by the agent but missing from the predefined-variables page (MicrosoftDocs issue #4588).
        commitSha: first(env, 'SYSTEM_PULLREQUEST_SOURCECOMMITID', 'BUILD_SOURCEVERSION'),
        // BUILD_SOURCEBRANCH is refs/heads/x, refs/tags/x, or refs/pull/n/merge on PR builds.
        ...fromRef(first(env, 'SYSTEM_PULLREQUEST_SOURCEBRANCH', 'BUILD_SOURCEBRANCH')),
      };
    },
  },
  {
    id: 'bitbucket-pipelines',
    name: 'Bitbucket Pipelines',
    // BITBUCKET_BUILD_NUMBER is set for every build, unlike BITBUCKET_BRANCH or BITBUCKET_TAG.
    detect: isSet('BITBUCKET_BUILD_NUMBER'),
    read(env) {
      return {
        repositoryUrl: first(env, 'BITBUCKET_GIT_SSH_ORIGIN', 'BITBUCKET_GIT_HTTP_ORIGIN'),
        commitSha: get(env, 'BITBUCKET_COMMIT'),
        ...tagOrBranch(get(env, 'BITBUCKET_TAG'), get(env, 'BITBUCKET_BRANCH')),
      };
    },
  },
  {
    id: 'bitrise',
    name: 'Bitrise',
    detect: (env) => isSet('BITRISE_IO')(env) || isSet('BITRISE_BUILD_SLUG')(env),
    read(env) {
      return {
        repositoryUrl: get(env, 'GIT_REPOSITORY_URL'),
        // BITRISE_GIT_COMMIT: the commit that triggered the build; GIT_CLONE_COMMIT_HASH: what Git Clone checked out.
        commitSha: first(env, 'BITRISE_GIT_COMMIT', 'GIT_CLONE_COMMIT_HASH'),
        ...tagOrBranch(get(env, 'BITRISE_GIT_TAG'), get(env, 'BITRISE_GIT_BRANCH')),
      };
    },
  },
  {
    id: 'appveyor',
    name: 'AppVeyor',
    detect: isSet('APPVEYOR'),
    read(env) {
      // AppVeyor gives only "owner-name/repo-name" plus the provider; GitLab is left out because it may be self-hosted.
      const provider = get(env, 'APPVEYOR_REPO_PROVIDER')?.toLowerCase();
      const host = provider === 'github' || provider === 'bitbucket' ? saasGitHost(provider) : undefined;
      return {
        repositoryUrl: hostedRepositoryUrl(host, get(env, 'APPVEYOR_REPO_NAME')),
        // On PR builds APPVEYOR_REPO_BRANCH is the base branch; the PR head commit and branch have their own variables.
        commitSha: first(env, 'APPVEYOR_PULL_REQUEST_HEAD_COMMIT', 'APPVEYOR_REPO_COMMIT'),
        ...tagOrBranch(
          get(env, 'APPVEYOR_REPO_TAG_NAME'),
          first(env, 'APPVEYOR_PULL_REQUEST_HEAD_REPO_BRANCH', 'APPVEYOR_REPO_BRANCH'),
        ),
      };
    },
  },
  {
    id: 'travis-ci',
    name: 'Travis CI',
    detect: isSet('TRAVIS'),
    read(env) {
      return {
        // Travis exposes only the owner/repo slug; like other tools we assume GitHub, Travis' main host.
        repositoryUrl: hostedRepositoryUrl(saasGitHost('github'), get(env, 'TRAVIS_REPO_SLUG')),
        // TRAVIS_PULL_REQUEST_SHA is the PR head commit and empty on push builds.
        commitSha: first(env, 'TRAVIS_PULL_REQUEST_SHA', 'TRAVIS_COMMIT'),
        // TRAVIS_BRANCH is the target branch on PR builds and the tag name on tag builds.
        ...tagOrBranch(get(env, 'TRAVIS_TAG'), first(env, 'TRAVIS_PULL_REQUEST_BRANCH', 'TRAVIS_BRANCH')),
      };
    },
  },
  {
    id: 'harness',
    name: 'Harness CI',
    // Harness sets DRONE=true too, so it must come before Drone; HARNESS_BUILD_ID is its own (CI env var reference).
    detect: isSet('HARNESS_BUILD_ID'),
    read: readDroneVariables,
  },
  {
    id: 'drone',
    name: 'Drone',
    detect: isSet('DRONE'),
    read: readDroneVariables,
  },
  {
    id: 'buddy',
    name: 'Buddy',
    detect: isSet('BUDDY'),
    read(env) {
      return {
        repositoryUrl: get(env, 'BUDDY_SCM_URL'),
        // BUDDY_RUN_* are the current names; BUDDY_EXECUTION_* are the older ones still exported.
        commitSha: first(env, 'BUDDY_RUN_COMMIT', 'BUDDY_EXECUTION_REVISION'),
        ...tagOrBranch(
          get(env, 'BUDDY_EXECUTION_TAG'),
          first(env, 'BUDDY_RUN_PR_HEAD_BRANCH', 'BUDDY_RUN_BRANCH', 'BUDDY_EXECUTION_BRANCH'),
        ),
      };
    },
  },
  {
    id: 'codefresh',
    name: 'Codefresh',
    detect: isSet('CF_BUILD_ID'),
    read(env) {
      // Codefresh exposes CF_REPO_OWNER and CF_REPO_NAME but not the Git host, so no repository URL.
      return {
        commitSha: get(env, 'CF_REVISION'),
        // CF_BRANCH is "the branch name or tag (depending on the payload JSON)"; CF_RELEASE_TAG marks GitHub releases.
        ...tagOrBranch(get(env, 'CF_RELEASE_TAG'), get(env, 'CF_BRANCH')),
      };
    },
  },
  {
    id: 'teamcity',
    name: 'TeamCity',
    detect: isSet('TEAMCITY_VERSION'),
    read(env) {
      // Only build.vcs.number reaches the build's environment (as BUILD_VCS_NUMBER, single-root configurations);
      // vcsroot.url and teamcity.build.branch are configuration parameters that are not passed to the build.
      return { commitSha: get(env, 'BUILD_VCS_NUMBER') };
    },
  },
  {
    id: 'aws-codebuild',
    name: 'AWS CodeBuild',
    // Also covers CodePipeline, whose build actions run in CodeBuild (CODEBUILD_INITIATOR=codepipeline/<name>).
    detect: isSet('CODEBUILD_BUILD_ID'),
    read(env) {
      // CODEBUILD_SOURCE_REPO_URL is an s3:// location for S3 sources and may be empty for CodePipeline builds.
      const sourceUrl = get(env, 'CODEBUILD_SOURCE_REPO_URL');
      // CODEBUILD_WEBHOOK_HEAD_REF is a branch or tag ref;
      // CODEBUILD_WEBHOOK_TRIGGER is branch/<name>, tag/<name> or pr/<n>.
      const headRef = fromRef(get(env, 'CODEBUILD_WEBHOOK_HEAD_REF'));
      const trigger = get(env, 'CODEBUILD_WEBHOOK_TRIGGER');
      const fromTrigger: CiFacts = trigger?.startsWith('branch/')
        ? { branch: trigger.slice('branch/'.length) || undefined }
        : trigger?.startsWith('tag/')
          ? { tag: trigger.slice('tag/'.length) || undefined }
          : {};
      return {
        repositoryUrl: sourceUrl?.startsWith('s3://') ? undefined : sourceUrl,
        // The commit ID for CodeCommit, GitHub (Enterprise) and Bitbucket sources; CodePipeline's source revision.
        commitSha: get(env, 'CODEBUILD_RESOLVED_SOURCE_VERSION'),
        ...(headRef.branch !== undefined || headRef.tag !== undefined ? headRef : fromTrigger),
      };
    },
  },
  {
    id: 'semaphore',
    name: 'Semaphore',
    detect: isSet('SEMAPHORE'),
    read(env) {
      return {
        repositoryUrl: get(env, 'SEMAPHORE_GIT_URL'),
        // Pull request workflows run on the merge commit; SEMAPHORE_GIT_PR_SHA is the PR head commit.
        commitSha: first(env, 'SEMAPHORE_GIT_PR_SHA', 'SEMAPHORE_GIT_SHA'),
        // On PRs SEMAPHORE_GIT_BRANCH is the target, SEMAPHORE_GIT_PR_BRANCH / SEMAPHORE_GIT_WORKING_BRANCH the source.
        ...tagOrBranch(
          get(env, 'SEMAPHORE_GIT_TAG_NAME'),
          first(env, 'SEMAPHORE_GIT_PR_BRANCH', 'SEMAPHORE_GIT_WORKING_BRANCH', 'SEMAPHORE_GIT_BRANCH'),
        ),
      };
    },
  },
  {
    id: 'woodpecker',
    name: 'Woodpecker CI',
    // Woodpecker shares CI_COMMIT_* names with GitLab; its marker is CI=woodpecker.
    detect: isEqual('CI', 'woodpecker'),
    read(env) {
      return {
        repositoryUrl: get(env, 'CI_REPO_CLONE_URL'),
        commitSha: get(env, 'CI_COMMIT_SHA'),
        // CI_COMMIT_BRANCH "equals target branch for pull requests"; CI_COMMIT_SOURCE_BRANCH is the PR source.
        ...tagOrBranch(get(env, 'CI_COMMIT_TAG'), first(env, 'CI_COMMIT_SOURCE_BRANCH', 'CI_COMMIT_BRANCH')),
      };
    },
  },
  {
    id: 'google-cloud-build',
    name: 'Google Cloud Build',
    // Every build step gets the read-only BUILDER_OUTPUT (Cloud Build API, Results.buildStepOutputs). Substitutions
    // such as COMMIT_SHA only become environment variables with options.automapSubstitutions or a step's `env`.
    detect: isSet('BUILDER_OUTPUT'),
    read(env) {
      return {
        // Only GitHub pull request triggers provide a URL (_HEAD_REPO_URL); REPO_FULL_NAME lacks the host.
        repositoryUrl: get(env, '_HEAD_REPO_URL'),
        commitSha: first(env, 'COMMIT_SHA', 'REVISION_ID'),
        ...tagOrBranch(get(env, 'TAG_NAME'), first(env, '_HEAD_BRANCH', 'BRANCH_NAME')),
      };
    },
  },
  {
    id: 'vercel',
    name: 'Vercel',
    detect: isSet('VERCEL'),
    read(env) {
      // Vercel's system environment variables name the Git provider (e.g. "github"), the repository owner and the
      // repository slug, but no URL; github, gitlab and bitbucket map to their SaaS hosts.
      const host = saasGitHost(get(env, 'VERCEL_GIT_PROVIDER'));
      const owner = get(env, 'VERCEL_GIT_REPO_OWNER');
      const slug = get(env, 'VERCEL_GIT_REPO_SLUG');
      const path = owner !== undefined && slug !== undefined ? `${owner}/${slug}` : undefined;
      return {
        repositoryUrl: hostedRepositoryUrl(host, path),
        commitSha: get(env, 'VERCEL_GIT_COMMIT_SHA'),
        ...fromRef(get(env, 'VERCEL_GIT_COMMIT_REF')),
      };
    },
  },
  {
    id: 'netlify',
    name: 'Netlify',
    detect: isSet('NETLIFY'),
    read(env) {
      return {
        // REPOSITORY_URL can carry an access token (x-access-token:…@); the caller strips it.
        repositoryUrl: get(env, 'REPOSITORY_URL'),
        commitSha: get(env, 'COMMIT_REF'),
        // HEAD is the head branch received from the Git provider; BRANCH is the ref checked out.
        ...fromRef(first(env, 'HEAD', 'BRANCH')),
      };
    },
  },
  {
    id: 'render',
    name: 'Render',
    detect: isSet('RENDER'),
    read(env) {
      // Render gives RENDER_GIT_REPO_SLUG (owner/repo) without the Git host, so no repository URL.
      return {
        commitSha: get(env, 'RENDER_GIT_COMMIT'),
        ...fromRef(get(env, 'RENDER_GIT_BRANCH')),
      };
    },
  },
];

/**
 * Detects the provider the process runs in and reads its Git facts; undefined outside any known CI.
 * Pure: everything comes from `env` and `io`.
 */
export function detectCiProvider(env: Env, io: CiIo): CiGitFacts | undefined {
  const provider = CI_PROVIDERS.find((candidate) => candidate.detect(env));
  if (provider === undefined) return undefined;
  const facts = provider.read(env, io);
  const result: CiGitFacts = { provider: provider.name };
  if (facts.repositoryUrl) result.repositoryUrl = facts.repositoryUrl;
  if (facts.commitSha) result.commitSha = facts.commitSha;
  if (facts.warnings?.length) result.warnings = facts.warnings;
  // A tag build is not a branch build, and several providers (Travis, Buildkite, AppVeyor, Jenkins multibranch)
  // repeat the tag name in their branch variable; the tag wins.
  if (facts.tag) result.tag = facts.tag;
  else if (facts.branch) result.branch = facts.branch;
  return result;
}
