/**
 * Change failures through the built binary around a wrapped deploy, and `dora incident resolve`, against a real local
 * server speaking Datadog's documented shapes. Lookups that find nothing or are refused: change-failures.e2e.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type DoraApi, doraApi, type StoredEvent, serve } from '../helpers/dora-api.js';
import { makePlainDir } from '../helpers/git-repo.js';
import { type Intake, startIntake } from '../helpers/intake.js';
import { runDora } from '../helpers/run-dora.js';

const KEYS = { DD_API_KEY: 'records-e2e-api-key-0123456789', DD_APP_KEY: 'records-e2e-app-key-0123456789abcdef' };
let intake: Intake | undefined;
afterEach(async () => {
  await intake?.close();
  intake = undefined;
});

const nowS = () => Math.floor(Date.now() / 1000);
const deployed = (id: string, version: string, agoS: number): StoredEvent => ({
  kind: 'deployment',
  id,
  attributes: {
    service: 'shop',
    env: 'prod',
    version,
    started_at: `${nowS() - agoS - 60}000000000`,
    finished_at: `${nowS() - agoS}000000000`,
  },
});

async function withApi(api: DoraApi) {
  intake = await startIntake(serve(api));
  const url = intake.url;
  return (args: string[], env: Record<string, string> = {}) =>
    runDora(args, { cwd: makePlainDir(), env: { ...KEYS, DORA_API_URL: url, ...env } });
}

describe('change failures, end to end', () => {
  it('a wrapped rollback marks the newest earlier deployment of the failed version, among several', async () => {
    const api = doraApi([
      deployed('failed-older-00000001', '2.0.0', 7200),
      deployed('failed-newer-00000001', '2.0.0', 600),
      deployed('good-0000000000000001', '1.9.0', 86400),
    ]);
    const dora = await withApi(api);
    const run = await dora([
      'deployment',
      '--service',
      'shop',
      '--env',
      'prod',
      '--version',
      '1.9.0',
      '--skip-git',
      '--rollback-of',
      '2.0.0',
      '--json',
      '--',
      'sh',
      '-c',
      'exit 0',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({
      ok: true,
      command_exit_code: 0,
      remediated: { id: 'failed-newer-00000001', type: 'rollback' },
    });
    expect(api.events.find((event) => event.id === 'failed-newer-00000001')).toMatchObject({
      changeFailure: true,
      remediation: { id: result.id, type: 'rollback' },
    });
    expect(api.events.find((event) => event.id === 'failed-older-00000001')?.changeFailure).toBeUndefined();
  });

  it('update, show, list and delete deployments; show, list, resolve and delete incidents', async () => {
    const api = doraApi([deployed('some-deployment-00001', '2.0.0', 600)]);
    const dora = await withApi(api);
    expect((await dora(['deployment', 'update', 'some-deployment-00001', '--no-change-failure'])).code).toBe(0);
    expect(api.events[0]?.changeFailure).toBe(false);
    const shown = await dora(['deployment', 'show', 'some-deployment-00001']);
    expect(shown.stdout).toMatch(/version\s+2\.0\.0/);
    const listed = await dora(['deployment', 'list', '--service', 'shop', '--json']);
    expect(JSON.parse(listed.stdout).data).toHaveLength(1);
    expect((await dora(['deployment', 'delete', 'some-deployment-00001', '--yes'])).code).toBe(0);
    expect(api.events).toHaveLength(0);

    const opened = await dora(['incident', '--service', 'shop', '--started-at', '-5m', '--name', 'Down', '--json']);
    const id = JSON.parse(opened.stdout).id as string;
    expect((await dora(['incident', 'list', '--open'])).stdout).toContain(id);
    const resolved = await dora(['incident', 'resolve', id]);
    expect(resolved.code, resolved.stderr).toBe(0);
    expect((await dora(['incident', 'show', id])).stdout).toMatch(/name\s+Down/);
    expect((await dora(['incident', 'delete', id, '--yes'])).code).toBe(0);
  });
});
