/**
 * CI providers as data: how to recognise each one from its environment and where it keeps the repository URL, the
 * commit being built and the branch or tag. Values are returned raw; sanitising URLs and validating SHAs happens in
 * the caller, so this table stays a plain description of each provider's documented variables.
 */

export type Env = Readonly<Record<string, string | undefined>>;

export interface CiGitFacts {
  /** Human name of the provider, e.g. "GitHub Actions". */
  provider: string;
  repositoryUrl?: string;
  commitSha?: string;
  branch?: string;
  tag?: string;
}

export interface CiIo {
  /** Reads a file as UTF-8 text; undefined when it cannot be read. */
  readFile(path: string): string | undefined;
}

/** Detects the provider the process runs in; undefined outside any known CI. (Placeholder until the table lands.) */
export function detectCiProvider(_env: Env, _io: CiIo): CiGitFacts | undefined {
  return undefined;
}
