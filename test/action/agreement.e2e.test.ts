/**
 * The GitHub Action and the GitLab component say the same about the same run: whether every event was recorded, what
 * became of the rollback's mark, and dora's exit code, each against its own fresh stand-in API.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { doraApi, type StoredEvent, serve } from '../helpers/dora-api.js';
import { type Intake, type RecordedRequest, type Reply, startIntake } from '../helpers/intake.js';
import { interpolate, type Job, loadComponent, runActionStep, runJob } from './ci-files.js';

const API_KEY = 'agree-api-key-0123456789abcdef';
const APP_KEY = 'agree-app-key-fedcba9876543210';
const SHA = '3f786850e387550fdab836ed7e6dc881de23001b';

const intakes: Intake[] = [];
afterEach(async () => {
  await Promise.all(intakes.splice(0).map((intake) => intake.close()));
});

/** A fresh stand-in API for each run: `answering` makes its reply function. */
type Answering = () => (request: RecordedRequest) => Reply;

async function server(answering: Answering): Promise<string> {
  const intake = await startIntake(answering());
  intakes.push(intake);
  return intake.url;
}

function deployed(id: string, version: string): StoredEvent {
  const finishedS = BigInt(Math.floor(Date.now() / 1000) - 86_400 * 30);
  return {
    kind: 'deployment',
    id,
    attributes: {
      id,
      service: 'checkout',
      env: 'prod',
      version,
      started_at: String((finishedS - 60n) * 1_000_000_000n),
      finished_at: String(finishedS * 1_000_000_000n),
    },
  };
}

interface Said {
  recorded: string;
  remediated: string;
  exitCode: string;
  hasId: boolean;
}

/** Both integrations on one scenario, given in the Action's input names; the component gets the same values. */
async function both(
  scenario: { service: string; env: string; version: string; 'rollback-of'?: string },
  reply: Answering,
): Promise<{ action: Said; component: Said }> {
  const actionRun = await runActionStep(
    { 'api-key': API_KEY, 'app-key': APP_KEY, 'started-at': '-2m', 'skip-git': 'true', ...scenario },
    { GITHUB_REPOSITORY: 'acme/shop', GITHUB_SERVER_URL: 'https://github.com', DORA_API_URL: await server(reply) },
  );
  const component = loadComponent('deployment');
  const [, body] = Object.entries(
    interpolate(component, {
      service: scenario.service,
      env: scenario.env,
      version: scenario.version,
      started_at: '-2m',
      rollback_of: scenario['rollback-of'] ?? '',
    }),
  )[0] ?? ['', {}];
  const jobRun = await runJob(body as Job, {
    CI: 'true',
    GITLAB_CI: 'true',
    CI_SERVER_URL: 'https://gitlab.com',
    CI_PROJECT_URL: 'https://gitlab.com/acme/shop',
    CI_COMMIT_SHA: SHA,
    DD_API_KEY: API_KEY,
    DD_APP_KEY: APP_KEY,
    DORA_API_URL: await server(reply),
  });
  const dotenv = Object.fromEntries(
    (jobRun.dotenv ?? '')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  return {
    action: {
      recorded: actionRun.outputs.recorded ?? '',
      remediated: actionRun.outputs.remediated ?? '',
      exitCode: actionRun.outputs['exit-code'] ?? '',
      hasId: (actionRun.outputs.id ?? '') !== '',
    },
    component: {
      recorded: dotenv.DORA_DEPLOYMENT_RECORDED ?? '',
      remediated: dotenv.DORA_DEPLOYMENT_REMEDIATED ?? '',
      exitCode: dotenv.DORA_DEPLOYMENT_EXIT_CODE ?? '',
      hasId: dotenv.DORA_DEPLOYMENT_ID !== undefined,
    },
  };
}

const DEPLOYMENT = { service: 'checkout', env: 'prod', version: '1.4.0' };

describe('the Action and the component agree', () => {
  it.each([
    {
      name: 'a recorded deployment',
      scenario: DEPLOYMENT,
      reply: () => serve(doraApi()),
      said: { recorded: 'true', remediated: '', exitCode: '0', hasId: true },
    },
    {
      name: 'a rollback recorded and its mark made',
      scenario: { ...DEPLOYMENT, 'rollback-of': '1.4.1' },
      reply: () => serve(doraApi([deployed('bad-141-aaaaaaaaaaaaa', '1.4.1')])),
      said: { recorded: 'true', remediated: 'true', exitCode: '0', hasId: true },
    },
    {
      name: 'a rollback recorded whose mark failed',
      scenario: { ...DEPLOYMENT, 'rollback-of': '1.4.1' },
      reply: () => serve(doraApi()),
      said: { recorded: 'true', remediated: 'false', exitCode: '4', hasId: true },
    },
    {
      name: 'a rollback refused with 403',
      scenario: { ...DEPLOYMENT, 'rollback-of': '1.4.1' },
      reply: () => () => ({ status: 403, body: JSON.stringify({ errors: ['Forbidden'] }) }),
      said: { recorded: 'false', remediated: 'false', exitCode: '3', hasId: true },
    },
  ])('$name', async ({ scenario, reply, said }) => {
    const { action, component } = await both(scenario, reply);
    expect(action).toEqual(said);
    expect(component).toEqual(said);
  });
});
