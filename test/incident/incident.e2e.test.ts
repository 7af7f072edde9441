/** `dora incident` against a real local intake: open, then resolve with the same id, services, env and start. */
import { afterEach, describe, expect, it } from 'vitest';
import { makePlainDir } from '../helpers/git-repo.js';
import { ACCEPTED, type Intake, startIntake } from '../helpers/intake.js';
import { runDora } from '../helpers/run-dora.js';

const KEY = 'test-api-key-incident-0123456789';
let intake: Intake | undefined;
afterEach(async () => {
  await intake?.close();
  intake = undefined;
});

type Body = { data: { attributes: Record<string, unknown> } };
const attributesOf = (body: string | undefined) => (JSON.parse(body ?? '{}') as Body).data.attributes;

describe('dora incident, end to end', () => {
  it('opens an incident for two services and a team, then resolves it with the same id', async () => {
    intake = await startIntake(() => ACCEPTED('dora_failure'));
    const env = { DD_API_KEY: KEY, DORA_API_URL: intake.url };
    const cwd = makePlainDir();
    const common = ['--service', 'checkout', '--service', 'payments', '--team', 'shop', '--env', 'prod'];

    const open = await runDora(
      [
        'incident',
        ...common,
        '--started-at',
        '2026-11-26T10:00:00.000000001Z',
        '--name',
        'Checkout 5xx',
        '--severity',
        'SEV-2',
        '--json',
      ],
      { cwd, env },
    );
    expect(open.stderr).toMatch(/Resolve it later/);
    expect(open.code).toBe(0);
    const { id, state } = JSON.parse(open.stdout) as { id: string; state: string };
    expect(state).toBe('open');

    const resolve = await runDora(
      [
        'incident',
        ...common,
        '--id',
        id,
        '--started-at',
        '1795687200000000001',
        '--finished-at',
        '2026-11-26T10:42:00.5Z',
      ],
      { cwd, env },
    );
    expect(resolve.code).toBe(0);

    expect(intake.requests.map((r) => r.path)).toEqual(['/api/v2/dora/failure', '/api/v2/dora/failure']);
    const [opened, resolved] = intake.requests.map((r) => attributesOf(r.body));
    expect(opened).toEqual({
      services: ['checkout', 'payments'],
      team: 'shop',
      env: 'prod',
      name: 'Checkout 5xx',
      severity: 'SEV-2',
      id,
      started_at: expect.any(Number),
    });
    expect(resolved).toMatchObject({ services: ['checkout', 'payments'], team: 'shop', env: 'prod', id });
    expect(intake.requests[0]?.body).toContain('"started_at":1795687200000000001');
    expect(intake.requests[1]?.body).toContain('"started_at":1795687200000000001');
    expect(intake.requests[1]?.body).toContain('"finished_at":1795689720500000000');
    expect(intake.requests[0]?.body).not.toContain('finished_at');
  });
});
