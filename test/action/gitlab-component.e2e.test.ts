/**
 * The GitLab component's job, interpolated and its variables expanded as GitLab does, its script run in `sh -e` in a
 * GitLab CI environment, with the built CLI in place of `npx dora-cli@…`, against a stand-in API on 127.0.0.1: what
 * reached the server, what the log showed and when, and the dotenv report later jobs read.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { doraApi, serve } from '../helpers/dora-api.js';
import { type Intake, startIntake } from '../helpers/intake.js';
import { expandVariables, interpolate, type Job, loadComponent, runJob, whenSeen } from './ci-files.js';

const API_KEY = 'gitlab-api-key-0123456789abcdef';
const APP_KEY = 'gitlab-app-key-fedcba9876543210';
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

function sent(index = 0): Record<string, unknown> {
  return (JSON.parse(intake?.requests[index]?.body ?? '{}') as { data: { attributes: Record<string, unknown> } }).data
    .attributes;
}

describe('templates/deployment.yml, run as a GitLab job', () => {
  it('records the deployment with the pipeline as its window and writes the dotenv report', async () => {
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
    expect(run.dotenv).toBe(
      `DORA_DEPLOYMENT_ID=${String(attributes.id)}\nDORA_DEPLOYMENT_RECORDED=true\nDORA_DEPLOYMENT_EXIT_CODE=0\n`,
    );
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

  it('a refused key fails the job with exit 3; the report keeps the id, for a retry to reuse', async () => {
    intake = await startIntake(() => ({ status: 403, body: JSON.stringify({ errors: ['Forbidden'] }) }));
    const { job: deploy } = job({ service: 'checkout' });
    const run = await runJob(deploy, { ...GITLAB, DD_API_KEY: API_KEY, DORA_API_URL: intake.url });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^error: .*403/m);
    expect(run.dotenv).toBe(
      `DORA_DEPLOYMENT_ID=${String(sent().id)}\nDORA_DEPLOYMENT_RECORDED=false\nDORA_DEPLOYMENT_EXIT_CODE=3\n`,
    );
    expect(run.stderr).not.toContain(API_KEY);
  });

  it('without DD_API_KEY nothing is sent and the job fails with exit 2', async () => {
    intake = await startIntake();
    const { job: deploy } = job({ service: 'checkout' });
    const run = await runJob(deploy, { ...GITLAB, DORA_API_URL: intake.url });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/DD_API_KEY/);
    expect(run.dotenv).toBe('DORA_DEPLOYMENT_RECORDED=false\nDORA_DEPLOYMENT_EXIT_CODE=2\n');
    expect(intake.requests).toHaveLength(0);
  });

  it('refuses to be included without a service', () => {
    expect(() => job({})).toThrow(/required input service/);
  });

  it("keeps the command's own shell variables, while CI/CD variables still expand when it runs", async () => {
    intake = await startIntake();
    // GitLab expands $VARIABLES in a job's variables before the script runs; undeclared, $host would be empty here.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: GitLab's ${NAME} form, as a variable's value holds it
    expect(expandVariables({ COMMAND: 'echo "$host" $$ ${CI_COMMIT_SHA}' }, GITLAB)).toEqual({
      COMMAND: `echo "" $ ${SHA}`,
    });
    const { job: deploy } = job({
      service: 'checkout',
      command: 'for host in eu-1 us-1; do echo "$host $CI_COMMIT_SHA" >> hosts.txt; done',
    });
    expect(deploy.variables?.DORA_COMMAND).toMatchObject({ expand: false });
    const run = await runJob(deploy, { ...GITLAB, DD_API_KEY: API_KEY, DORA_API_URL: intake.url });
    expect(run.code).toBe(0);
    expect(readFileSync(join(run.dir, 'hosts.txt'), 'utf8')).toBe(`eu-1 ${SHA}\nus-1 ${SHA}\n`);
    expect(run.dotenv).toMatch(/^DORA_DEPLOYMENT_ID=.+\nDORA_DEPLOYMENT_RECORDED=true\n/);
  });

  it('a failing deploy command fails the job with its code and records nothing', async () => {
    intake = await startIntake();
    const { job: deploy } = job({ service: 'checkout', command: 'exit 7' });
    const run = await runJob(deploy, { ...GITLAB, DD_API_KEY: API_KEY, DORA_API_URL: intake.url });
    expect(run.code).toBe(7);
    expect(intake.requests).toHaveLength(0);
    expect(run.dotenv).toBe('DORA_DEPLOYMENT_RECORDED=false\nDORA_DEPLOYMENT_EXIT_CODE=7\n');
  });

  it('wraps the deploy command: its output shows in the log, the report has the id', async () => {
    intake = await startIntake();
    const { job: deploy } = job({
      service: 'checkout',
      env: 'production',
      command: 'echo "deploying $CI_COMMIT_SHA"',
    });
    const run = await runJob(deploy, { ...GITLAB, DD_API_KEY: API_KEY, DORA_API_URL: intake.url });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`deploying ${SHA}\n`);
    expect(run.dotenv).toBe(
      `DORA_DEPLOYMENT_ID=${String(sent().id)}\nDORA_DEPLOYMENT_RECORDED=true\nDORA_DEPLOYMENT_EXIT_CODE=0\n`,
    );
  });

  it("shows the deploy command's output live: a rollout that prints and goes quiet is seen before it ends", async () => {
    intake = await startIntake();
    const go = join(mkdtempSync(join(tmpdir(), 'dora-live-')), 'go');
    const command =
      'printf "waiting for the rollout"; i=0; ' +
      'while [ ! -f "$GO_FILE" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; ' +
      'if [ -f "$GO_FILE" ]; then echo " - seen live"; else echo " - not seen while running"; fi';
    const { job: deploy } = job({ service: 'checkout', command });
    const run = await runJob(
      deploy,
      { ...GITLAB, DD_API_KEY: API_KEY, DORA_API_URL: intake.url, GO_FILE: go },
      whenSeen('waiting for the rollout', () => writeFileSync(go, '')),
    );
    expect(existsSync(go)).toBe(true);
    expect(run.stderr).toContain('waiting for the rollout - seen live\n');
    expect(run.dotenv).toMatch(/\nDORA_DEPLOYMENT_RECORDED=true\n/);
  });

  it('a command whose output ends without a line break: RECORDED=true for the recorded deployment', async () => {
    intake = await startIntake();
    const { job: deploy } = job({ service: 'checkout', command: `printf '{"status":"deployed"}'` });
    const run = await runJob(deploy, { ...GITLAB, DD_API_KEY: API_KEY, DORA_API_URL: intake.url });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('{"status":"deployed"}');
    expect(run.dotenv).toBe(
      `DORA_DEPLOYMENT_ID=${String(sent().id)}\nDORA_DEPLOYMENT_RECORDED=true\nDORA_DEPLOYMENT_EXIT_CODE=0\n`,
    );
  });

  it('a rollback whose mark fails: RECORDED=true, REMEDIATED=false, exit 4', async () => {
    const api = doraApi(); // no deployment of 1.4.1 to find
    intake = await startIntake(serve(api));
    const { job: deploy } = job({ service: 'checkout', env: 'production', version: '1.4.0', rollback_of: '1.4.1' });
    const run = await runJob(deploy, { ...GITLAB, DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY, DORA_API_URL: intake.url });
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/^error: No such deployment/m);
    expect(run.dotenv).toBe(
      `DORA_DEPLOYMENT_ID=${String(sent().id)}\nDORA_DEPLOYMENT_RECORDED=true\nDORA_DEPLOYMENT_REMEDIATED=false\n` +
        'DORA_DEPLOYMENT_EXIT_CODE=4\n',
    );
  });
});
