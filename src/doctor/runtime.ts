/** The Node.js release lines dora runs on and when each stops getting security fixes (nodejs.org, as of 2026-12). */
import { type Check, ok, warn } from './check.js';

/** Major → end of life. Lines not listed are either newer (fine) or older than dora supports (refused elsewhere). */
export const NODE_END_OF_LIFE: Readonly<Record<number, string>> = {
  20: '2026-04-30',
  22: '2027-04-30',
  24: '2028-04-30',
};

export function judgeRuntime(nodeVersion: string, todayMs: number): Check {
  const major = Number.parseInt(nodeVersion.replace(/^v/, ''), 10);
  const eol = NODE_END_OF_LIFE[major];
  if (eol === undefined || Date.parse(`${eol}T00:00:00Z`) > todayMs) {
    return ok('runtime', `Node.js ${nodeVersion}${eol ? ` (supported until ${eol})` : ''}`);
  }
  return warn(
    'runtime',
    `Node.js ${nodeVersion} reached its end of life on ${eol}: no more security fixes`,
    'Move the job to Node.js 24 (the active LTS), e.g. actions/setup-node with node-version: 24.',
  );
}
