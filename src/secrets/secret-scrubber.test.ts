import { describe, expect, it } from 'vitest';
import { knownSecrets } from './known-secrets.js';
import { REDACTED, createScrubber, createSecretScrubber } from './secret-scrubber.js';

const KEY_BODY = [
  'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7',
  'qH1sX9f0Zk2pL3mN4bV5cX6zA7sD8fG9hJ0kL1mN2bV3cX4zA5s',
  'Zz==',
];
const PEM = `-----BEGIN CERTIFICATE-----\nMIIBcertificatepartisnotsecret\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\n${KEY_BODY.join('\n')}\n-----END PRIVATE KEY-----\n`;

describe('knownSecrets', () => {
  it('collects the secrets of an environment, by name', () => {
    const secrets = knownSecrets(
      {
        AZURE_CLIENT_SECRET: 'client-secret-1',
        AZURE_CLIENT_CERTIFICATE_PASSWORD: 'cert-password-1',
        AZURE_CLIENT_CERTIFICATE_PATH: '/secrets/roster.pem',
        ROSTER_API_TOKEN: 'api-token-1',
        ROSTER_WEBHOOK_URL: 'https://hooks.example/x',
        DATABASE_URL: 'postgres://roster:p%40ss-word@db/hr',
        ROSTER_STATE_DATABASE_URL: 'host=state user=roster password=state-pass-1',
        AZURE_CLIENT_ID: 'not-a-secret',
        AZURE_TENANT_ID: 'not-a-secret-either',
      },
      (path) => (path === '/secrets/roster.pem' ? PEM : undefined),
    );
    expect(secrets.map((s) => [s.name, s.value])).toEqual([
      ['AZURE_CLIENT_SECRET', 'client-secret-1'],
      ['AZURE_CLIENT_CERTIFICATE_PASSWORD', 'cert-password-1'],
      ['ROSTER_API_TOKEN', 'api-token-1'],
      ['ROSTER_WEBHOOK_URL', 'https://hooks.example/x'],
      ['the password in DATABASE_URL', 'p@ss-word'],
      ['the password in ROSTER_STATE_DATABASE_URL', 'state-pass-1'],
      ['the private key in AZURE_CLIENT_CERTIFICATE_PATH', expect.stringContaining('BEGIN PRIVATE KEY')],
      ['the private key in AZURE_CLIENT_CERTIFICATE_PATH', KEY_BODY[0]],
      ['the private key in AZURE_CLIENT_CERTIFICATE_PATH', KEY_BODY[1]],
    ]);
    expect(knownSecrets({ DATABASE_URL: 'host=db user=roster' })).toEqual([]);
  });
});

describe('createScrubber', () => {
  const scrubber = createScrubber([
    { name: 'AZURE_CLIENT_SECRET', value: 'Abc~def"ghi' },
    { name: 'ROSTER_API_TOKEN', value: 'token-123456' },
    { name: 'the private key in AZURE_CLIENT_CERTIFICATE_PATH', value: KEY_BODY[1]! },
  ]);

  it('replaces known secrets raw and JSON-escaped, credentials in URLs, bearer tokens and JWTs', () => {
    const text = `a Abc~def"ghi b ${JSON.stringify('Abc~def"ghi')} c Bearer xyz.abc.def postgres://roster:s3cr%21t@db/hr eyJhbGciOi.eyJzdWIi.sig ${KEY_BODY[1]}`;
    const out = scrubber.text(text);
    expect(out).toBe(
      `a ${REDACTED} b "${REDACTED}" c Bearer ${REDACTED} postgres://roster:${REDACTED}@db/hr ${REDACTED} ${REDACTED}`,
    );
  });

  it('leaves prose about bearer tokens alone', () => {
    expect(scrubber.text('bearer token required')).toBe('bearer token required');
  });

  it('keeps JSON valid when a secret is replaced inside a string', () => {
    const json = JSON.stringify({ title: 'CEO Abc~def"ghi', note: ['token-123456'] });
    expect(JSON.parse(scrubber.text(json))).toEqual({ title: `CEO ${REDACTED}`, note: [REDACTED] });
  });

  it('scrubs every string of a value and returns the same object when nothing changed', () => {
    const clean = { a: 'x', b: [1, 'y', { c: null }] };
    expect(scrubber.value(clean)).toBe(clean);
    const dirty = { a: 'x', b: [1, 'y token-123456', { c: 'Abc~def"ghi' }] };
    expect(scrubber.value(dirty)).toEqual({ a: 'x', b: [1, `y ${REDACTED}`, { c: REDACTED }] });
    expect(dirty.b[1]).toBe('y token-123456');
  });

  it('names the secret a value holds, or the redaction marker, for the write guard', () => {
    expect(scrubber.find('Signature: token-123456')).toBe('ROSTER_API_TOKEN');
    expect(scrubber.find(`x ${KEY_BODY[1]} y`)).toBe('the private key in AZURE_CLIENT_CERTIFICATE_PATH');
    expect(scrubber.find('CFO [redacted]')).toMatch(/redacted as a secret/);
    expect(scrubber.find('an ordinary title')).toBeUndefined();
    // The search is stateless between calls (a global regex keeps lastIndex otherwise).
    expect(scrubber.find('token-123456')).toBe('ROSTER_API_TOKEN');
  });

  it('ignores secrets too short to scrub safely', () => {
    const scrub = createSecretScrubber(['abc']);
    expect(scrub('postgres://roster:s3cr%21t@db:5432/hr and abc')).toBe(
      `postgres://roster:${REDACTED}@db:5432/hr and abc`,
    );
  });
});
