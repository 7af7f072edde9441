/**
 * The GitLab component's job, interpolated as GitLab does and its script run in `sh -e` in a GitLab CI environment,
 * with the built CLI in place of `npx dora-cli@…`, against a local intake: what reached the server and the dotenv
 * report later jobs read.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type Intake, startIntake } from '../helpers/intake.js';
import { cliSupports, interpolate, type Job, loadComponent, runJob } from './ci-files.js';

const API_KEY = 'gitlab-api-key-0123456789abcdef';
const SHA = '3f786850e387550fdab836ed7e6dc881de23001b';
const GITLAB = {
  CI: 'true',
  GITLAB_CI: 'true',
  CI_SERVER_URL: 'https://gitlab.com',
  CI_PROJECT_PATH: 'acme/shop',
  CI_PROJECT_URL: 'https://gitlab.com/acme/shop',
  CI_REPOSITORY_URL: 'https://gitlab-ci-token:JOBTOKEN123@gitlab.com/acme/shop.git',
  CI_COMMIT_SHA: SHA,
  CI_COMMIT_BRANCH: 'main',
  CI_PIPELINE_SOURCE: 'push',
  CI_PIPELINE_CREATED_AT: '2026-11-26T10:00:00Z',
};

let intake: Intake | undefined;
afterEach(async () => {
  await intake?.close();
  intake = undefined;
});

function job(inputs: Record<string, string>): { name: string; job: Job } {
  const jobs = Object.entries(interpolate(loadComponent('deployment'), inputs));
  expect(jobs).toHaveLength(1);
  const [name, body] = jobs[0] ?? [];
  return { name: name ?? '', job: body as Job };
}

function sent(): Record<string, unknown> {
  return (JSON.parse(intake?.requests[0]?.body ?? '{}') as { data: { attributes: Record<string, unknown> } }).data
    .attributes;
}

describe('templates/deployment.yml, run as a GitLab job', () => {
  it('records the deployment with the pipeline as its window and writes DORA_DEPLOYMENT_ID to the dotenv report', async () => {
    intake = await startIntake();
    const { name, job: deploy } = job({
      service: 'checkout',
      env: 'production',
      version: '1.4.2',
      stage: 'release',
      job_name: 'record',
    });
    expect(name).toBe('record');
    expect(deploy.stage).toBe('release');
    expect(deploy.image).toBe('node');
    expect(deploy.artifacts?.reports?.dotenv).toBe('dora.env');
    const run = await runJob(deploy, { ...GITLAB, DD_API_KEY: API_KEY, DORA_API_URL: intake.url });
    expect(run.stderr).not.toMatch(/^error:/m);
    expect(run.code).toBe(0);
    expect(intake.requests).toHaveLength(1);
    expect(intake.requests[0]?.headers['dd-api-key']).toBe(API_KEY);
    expect(intake.requests[0]?.body).toContain('"started_at":1795687200000000000');
    const attributes = sent();
    expect(attributes).toMatchObject({
      service: 'checkout',
      env: 'production',
      version: '1.4.2',
      git: { repository_url: 'https://gitlab.com/acme/shop.git', commit_sha: SHA },
    });
    expect(run.dotenv).toBe(`DORA_DEPLOYMENT_ID=${String(attributes.id)}\nDORA_DEPLOYMENT_RECORDED=true\n`);
    for (const text of [run.stdout, run.stderr, run.dotenv]) {
      expect(text).not.toContain(API_KEY);
      expect(text).not.toContain('JOBTOKEN123');
    }
  });

  it('takes values with quotes and spaces as they are, and site and started_at when given', async () => {
    intake = await startIntake();
    const { job: deploy } = job({ service: `it's "checkout"`, site: 'datadoghq.eu', started_at: '1795687200.5' });
    const run = await runJob(deploy, { ...GITLAB, DD_API_KEY: API_KEY, DORA_API_URL: intake.url });
    expect(run.code).toBe(0);
    expect(sent().service).toBe(`it's "checkout"`);
    expect(intake.requests[0]?.body).toContain('"started_at":1795687200500000000');
    expect(sent().env).toBeUndefined();
  });

  it('a failure fails the job with dora exit code, and the report says nothing was recorded', async () => {
    intake = await startIntake(() => ({ status: 403, body: JSON.stringify({ errors: ['Forbidden'] }) }));
    const { job: deploy } = job({ service: 'checkout' });
    const run = await runJob(deploy, { ...GITLAB, DD_API_KEY: API_KEY, DORA_API_URL: intake.url });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^error: .*403/m);
    // The failed event's id is reported too (a retry may reuse it), with RECORDED=false.
    expect(run.dotenv).toMatch(/^DORA_DEPLOYMENT_ID=[0-9a-f-]{36}\nDORA_DEPLOYMENT_RECORDED=false\n$/);
    expect(run.stderr).not.toContain(API_KEY);
  });

  it('without DD_API_KEY nothing is sent and the job fails with exit 2', async () => {
    intake = await startIntake();
    const { job: deploy } = job({ service: 'checkout' });
    const run = await runJob(deploy, { ...GITLAB, DORA_API_URL: intake.url });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/DD_API_KEY/);
    expect(intake.requests).toHaveLength(0);
  });

  it('refuses to be included without a service', () => {
    expect(() => job({})).toThrow(/required input service/);
  });

  it.skipIf(!cliSupports.wrap)(
    'wraps the deploy command: its output shows in the log, the report has the id',
    async () => {
      intake = await startIntake();
      const { job: deploy } = job({
        service: 'checkout',
        env: 'production',
        command: 'echo "deploying $CI_COMMIT_SHA"',
      });
      const run = await runJob(deploy, { ...GITLAB, DD_API_KEY: API_KEY, DORA_API_URL: intake.url });
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`deploying ${SHA}`);
      expect(run.dotenv).toBe(`DORA_DEPLOYMENT_ID=${String(sent().id)}\nDORA_DEPLOYMENT_RECORDED=true\n`);
    },
  );

  it.skipIf(!cliSupports.wrap)('a failing deploy command fails the job with its code and records nothing', async () => {
    intake = await startIntake();
    const { job: deploy } = job({ service: 'checkout', command: 'exit 7' });
    const run = await runJob(deploy, { ...GITLAB, DD_API_KEY: API_KEY, DORA_API_URL: intake.url });
    expect(run.code).toBe(7);
    expect(intake.requests).toHaveLength(0);
    expect(run.dotenv).toBe('DORA_DEPLOYMENT_RECORDED=false\n');
  });

  it.skipIf(!cliSupports.rollbackOf)('rollback_of reaches the CLI (dry run: the plan names the version)', async () => {
    const { job: deploy } = job({ service: 'checkout', env: 'production', rollback_of: '1.4.1' });
    const run = await runJob(
      { ...deploy, script: deploy.script.map((line) => line.replace('--json', '--json --dry-run')) },
      { ...GITLAB },
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('1.4.1');
  });
});
