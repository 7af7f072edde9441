import { describe, expect, it } from 'vitest';
import { errorText } from '../../src/api/response.js';

describe('errorText', () => {
  it('joins title and detail of JSON:API errors', () => {
    const body = JSON.stringify({
      errors: [{ title: 'Bad Request', detail: 'service is invalid' }, { title: 'Too Old' }],
    });
    expect(errorText(body)).toBe('Bad Request: service is invalid; Too Old');
  });

  it('passes plain string errors through', () => {
    expect(errorText('{"errors":["Forbidden"]}')).toBe('Forbidden');
  });

  it('keeps an error entry it does not understand, as JSON', () => {
    expect(errorText('{"errors":[{"code":17}]}')).toBe('{"code":17}');
  });

  it('falls back to the raw body, trimmed and single-spaced', () => {
    expect(errorText('  upstream\n\n  timed out \t ')).toBe('upstream timed out');
    expect(errorText('{"message":"nope"}')).toBe('{"message":"nope"}');
    expect(errorText('')).toBe('');
  });

  it("reads a gateway's HTML page as its text", () => {
    const page =
      '<html><head><title>502 Bad Gateway</title><style>h1{}</style></head>' +
      '<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>';
    expect(errorText(page)).toBe('502 Bad Gateway 502 Bad Gateway nginx');
  });

  it('cuts long bodies so a CI log is not flooded', () => {
    const text = errorText('x'.repeat(5000));
    expect(text).toHaveLength(501);
    expect(text.endsWith('…')).toBe(true);
  });

  it('does not split an emoji when cutting', () => {
    const text = errorText(`${'x'.repeat(499)}😀 tail`);
    expect(text).toBe(`${'x'.repeat(499)}…`);
  });

  it('shows terminal escape sequences and other control characters escaped, inert and readable', () => {
    expect(errorText('{"errors":["bad\\u001b[31m red\\u0007"]}')).toBe('bad\\u001b[31m red\\u0007');
    expect(errorText('{"errors":["a\\u202eb\\nc"]}')).toBe('a\\u202eb c');
  });
});
