/** The action's inputs → the CLI's argv and environment. */
import { describe, expect, it } from 'vitest';
import { readInputs } from '../../src/action/inputs.js';
import { InputError, planRun } from '../../src/action/plan.js';

const plan = (env: Record<string, string>) => planRun(readInputs(env));

describe('planRun', () => {
  it('maps each deployment input to its flag, one flag per line for lists, and always asks for --json', () => {
    const result = plan({
      INPUT_KIND: 'deployment',
      INPUT_SERVICE: 'checkout',
      INPUT_ENV: 'prod',
      INPUT_VERSION: '1.4.2',
      INPUT_TEAM: 'shop',
      INPUT_CUSTOM_TAGS: 'region:eu-west-1\n\n  tier:1  \n',
      INPUT_ID: 'deploy-0001-abcdefgh',
      INPUT_STARTED_AT: '1795687200',
      INPUT_FINISHED_AT: 'now',
      INPUT_GIT_REPOSITORY_URL: 'https://github.com/acme/shop',
      INPUT_GIT_COMMIT_SHA: 'a'.repeat(40),
      INPUT_SKIP_GIT: 'false',
      INPUT_SITE: 'datadoghq.eu',
      INPUT_API_URL: 'https://gateway.internal',
      INPUT_DRY_RUN: 'true',
    });
    expect(result.argv).toEqual([
      'deployment',
      '--service',
      'checkout',
      '--env',
      'prod',
      '--version',
      '1.4.2',
      '--team',
      'shop',
      '--custom-tags',
      'region:eu-west-1',
      '--custom-tags',
      'tier:1',
      '--id',
      'deploy-0001-abcdefgh',
      '--started-at',
      '1795687200',
      '--finished-at',
      'now',
      '--git-repository-url',
      'https://github.com/acme/shop',
      '--git-commit-sha',
      'a'.repeat(40),
      '--site',
      'datadoghq.eu',
      '--api-url',
      'https://gateway.internal',
      '--dry-run',
      '--json',
    ]);
  });

  it('keeps the keys out of argv: they go to DD_API_KEY / DD_APP_KEY, and the DATADOG_ names are dropped', () => {
    const result = plan({
      INPUT_SERVICE: 's',
      INPUT_API_KEY: ' api-secret-1234567890\n',
      INPUT_APP_KEY: 'app-secret-1234567890',
    });
    expect(result.argv.join(' ')).not.toMatch(/secret/);
    expect(result.env).toEqual({ DD_API_KEY: 'api-secret-1234567890', DD_APP_KEY: 'app-secret-1234567890' });
    expect(result.unset).toEqual(['DATADOG_API_KEY', 'DATADOG_APP_KEY']);
    expect(result.secrets).toEqual(['api-secret-1234567890', 'app-secret-1234567890']);
    expect(plan({ INPUT_SERVICE: 's' }).env).toEqual({});
  });

  it('wraps a command as -- sh -c "<command>", after every option', () => {
    const result = plan({
      INPUT_SERVICE: 's',
      INPUT_COMMAND: './deploy.sh --canary 10 && echo "done"',
      INPUT_ROLLBACK_OF: '1.4.1',
    });
    expect(result.argv).toEqual([
      'deployment',
      '--service',
      's',
      '--rollback-of',
      '1.4.1',
      '--json',
      '--',
      'sh',
      '-c',
      './deploy.sh --canary 10 && echo "done"',
    ]);
    expect(plan({ INPUT_SERVICE: 's', INPUT_ROLLFORWARD_OF: '1.4.1' }).argv).toContain('--rollforward-of');
  });

  it('maps the incident inputs, several services included', () => {
    const result = plan({
      INPUT_KIND: 'incident',
      INPUT_SERVICE: 'checkout\npayments',
      INPUT_NAME: 'Checkout 5xx',
      INPUT_SEVERITY: 'SEV-2',
      INPUT_SKIP_GIT: 'false',
    });
    expect(result.kind).toBe('incident');
    expect(result.argv).toEqual([
      'incident',
      '--service',
      'checkout',
      '--service',
      'payments',
      '--name',
      'Checkout 5xx',
      '--severity',
      'SEV-2',
      '--json',
    ]);
  });

  it("treats empty inputs as not given (what an unset input's expression gives)", () => {
    expect(plan({ INPUT_SERVICE: 's', INPUT_ENV: '', INPUT_COMMAND: '  ', INPUT_API_KEY: '' }).argv).toEqual([
      'deployment',
      '--service',
      's',
      '--json',
    ]);
  });

  it('refuses what does not fit, naming the input', () => {
    expect(() => plan({ INPUT_KIND: 'release' })).toThrow(InputError);
    expect(() => plan({ INPUT_KIND: 'release' })).toThrow(
      'kind: "release" must be one of deployment, incident, metrics.',
    );
    expect(() => plan({ INPUT_DRY_RUN: 'yes' })).toThrow('dry-run: "yes" must be true or false.');
    expect(() => plan({ INPUT_KIND: 'incident', INPUT_COMMAND: 'x' })).toThrow(
      'command applies to kind: deployment only',
    );
    expect(() => plan({ INPUT_KIND: 'incident', INPUT_SKIP_GIT: 'true' })).toThrow(
      'skip-git applies to kind: deployment only',
    );
    expect(() => plan({ INPUT_NAME: 'x' })).toThrow('name applies to kind: incident only');
  });
});
