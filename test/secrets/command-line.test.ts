import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { argvCredentials, displayCommand, shellWords } from '../../src/output/command-line.js';
import { isCredentialName } from '../../src/output/credential.js';
import { createRedactor } from '../../src/output/redact.js';
import { shellQuote } from '../../src/output/shell.js';
import { leakIn, password, token, userName } from '../helpers/secret-arbitraries.js';

const credentialOption = fc.constantFrom(
  '--password',
  '--passwd',
  '--token',
  '--api-key',
  '--secret',
  '--auth',
  '--credentials',
  '--bearer',
  '--db-password',
  '--apiKey',
  '-token',
);
const secretValue = fc.oneof(token, password);

describe('displayCommand: a wrapped command as the dry run shows it', () => {
  it('masks the value of every credential-named option, in --opt=value and --opt value', () => {
    fc.assert(
      fc.property(credentialOption, secretValue, secretValue, (option, a, b) => {
        const shown = displayCommand(['./deploy.sh', `${option}=${a}`, option, b, '--canary', '10']);
        expect(leakIn(shown, a, b)).toBeUndefined();
        expect(shown).toBe(`./deploy.sh ${shellQuote(`${option}=[redacted]`)} ${option} '[redacted]' --canary 10`);
      }),
    );
  });

  it('masks the same inside an sh -c string, keeping the rest of the script as typed', () => {
    fc.assert(
      fc.property(credentialOption, secretValue, (option, value) => {
        const script = `deploy ${option}=${shellQuote(value)} && notify ${option} ${shellQuote(value)} | tee log`;
        const shown = displayCommand(['sh', '-c', script]);
        expect(leakIn(shown, value)).toBeUndefined();
        const inner = shellWords(shellWords(shown)[2]?.value ?? '').map((word) => word.value);
        expect(inner).toEqual(['deploy', `${option}=[redacted]`, 'notify', option, '[redacted]', 'tee', 'log']);
      }),
    );
  });

  it.each([
    [['curl', '-u', 'admin:pw', 'https://x.example'], "curl -u '[redacted]' https://x.example"],
    [['curl', '-uadmin:pw', 'https://x.example'], "curl '-u[redacted]' https://x.example"],
    [
      ['curl', '--user', 'admin:s3cr3t', '-H', 'Authorization: Bearer abc'],
      "curl --user '[redacted]' -H 'Authorization: [redacted]'",
    ],
    [['curl', '--header=X-Api-Key: k-123'], "curl '--header=X-Api-Key: [redacted]'"],
    [['env', 'DB_PASSWORD=hunter2', './migrate'], "env 'DB_PASSWORD=[redacted]' ./migrate"],
    [['bash', '-lc', 'deploy --token=X'], "bash -lc 'deploy '\\''--token=[redacted]'\\'''"],
    [['ssh', 'host', 'deploy --password "a b"'], "ssh host 'deploy --password '\\''[redacted]'\\'''"],
    [['git', 'push', 'https://ci:pw@git.example/x.git'], 'git push https://git.example/x.git'],
    [
      ['curl', 'https://api.example/x?access_token=abc&page=2'],
      "curl 'https://api.example/x?access_token=[redacted]&page=2'",
    ],
    [['./deploy.sh', '--token', '--not-an-option'], "./deploy.sh --token '[redacted]'"],
    [['git', 'clone', 'bot:TOKEN@github.com:o/r.git'], 'git clone bot@github.com:o/r.git'],
    // A user name alone is no password; sort -u takes no value.
    [['curl', '-u', 'admin', 'x'], 'curl -u admin x'],
    [['sort', '-u', 'file'], 'sort -u file'],
  ])('%j → %s', (argv, shown) => {
    expect(displayCommand(argv)).toBe(shown);
  });

  it('masks a header glued to its option, settings of tools (dotted, in lists), and scripts that start with one', () => {
    fc.assert(
      fc.property(secretValue, fc.constantFrom('Authorization', 'X-Api-Key', 'Private-Token'), (value, header) => {
        const glued = displayCommand(['curl', `-H${header}: Bearer ${value}`, 'https://api.example']);
        expect(leakIn(glued, value)).toBeUndefined();
        expect(glued).toContain(`${header}: [redacted]`);
        const dotted = displayCommand(['helm', 'upgrade', '--set', `image.tag=1.2,db.password=${value}`]);
        expect(leakIn(dotted, value)).toBeUndefined();
        expect(dotted).toContain('image.tag=1.2,db.password=[redacted]');
        const script = displayCommand(['sh', '-c', `TOKEN=${shellQuote(value)} ./deploy.sh --prod`]);
        expect(leakIn(script, value)).toBeUndefined();
        expect(script).toContain('./deploy.sh --prod');
      }),
    );
  });

  it('masks a setting given as the value of an option (kubectl --from-literal=password=…)', () => {
    fc.assert(
      fc.property(secretValue, (value) => {
        const shown = displayCommand([
          'kubectl',
          'create',
          'secret',
          'generic',
          'db',
          `--from-literal=password=${value}`,
        ]);
        expect(leakIn(shown, value)).toBeUndefined();
        expect(shown).toContain('--from-literal=password=[redacted]');
      }),
    );
  });

  it('reads a script as a script even when it looks like an scp URL (user:@host)', () => {
    const shown = displayCommand(['sh', '-c', "TOKEN='QZX7:@$:JVW4KYQ9' ./deploy.sh --prod"]);
    expect(shown).not.toMatch(/QZX7|JVW4/);
    expect(shown).toContain('./deploy.sh --prod');
  });

  it('removes URL user info from any argument, whatever the password holds', () => {
    fc.assert(
      fc.property(userName, password, (user, pw) => {
        const url = `https://${user}:${pw}@git.example.com/team/app.git`;
        const shown = displayCommand(['./deploy.sh', url, `--repo=${url}`]);
        expect(leakIn(shown, pw)).toBeUndefined();
        expect(shown).toBe(
          './deploy.sh https://git.example.com/team/app.git --repo=https://git.example.com/team/app.git',
        );
      }),
    );
  });

  it('masks the keys the run holds, even where quoting would split them', () => {
    const redactor = createRedactor(["it's-a-key-0123456789"]);
    expect(displayCommand(['./deploy.sh', "it's-a-key-0123456789"], redactor)).toBe("./deploy.sh '[redacted]'");
  });

  it('leaves a command with no credential exactly as typed', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc
            .stringMatching(/^[A-Za-z0-9_./:,+-]{1,12}$/)
            // Options, assignments and headers with a credential's name (`token:x`) are masked on purpose.
            .filter((word) => !/^-{1,2}\w|^[A-Za-z_]\w*=/.test(word) && !isCredentialName(word.split(':')[0] ?? '')),
        ),
        (args) => {
          expect(displayCommand(['./deploy.sh', ...args])).toBe(['./deploy.sh', ...args].map(shellQuote).join(' '));
        },
      ),
    );
  });
});

describe('argvCredentials', () => {
  it('finds the values of credential options, inside scripts too', () => {
    expect(
      argvCredentials(['--api-key=K1', '--token', 'K2', 'sh', '-c', 'x --password="p w" && y TOKEN=K4', '-u', 'a:b']),
    ).toEqual(['K1', 'K2', 'a:b', 'p w', 'K4']);
  });
});

describe('shellWords', () => {
  it('undoes quotes and escapes, and knows where each word stands', () => {
    const script = `a 'b c' "d \\"e\\" $f" g\\ h; i|j # comment`;
    const words = shellWords(script);
    expect(words.map((word) => word.value)).toEqual(['a', 'b c', 'd "e" $f', 'g h', 'i', 'j']);
    expect(words.map((word) => script.slice(word.start, word.end))).toEqual([
      'a',
      "'b c'",
      '"d \\"e\\" $f"',
      'g\\ h',
      'i',
      'j',
    ]);
  });

  it('reads back any words that shellQuote wrote', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ minLength: 1 })), (words) => {
        expect(shellWords(words.map(shellQuote).join(' ')).map((word) => word.value)).toEqual(words);
      }),
    );
  });
});
