import { createHmac } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { InvalidInputError } from '../errors/domain-errors.js';
import { checkWebhookSecret, checkWebhookUrl, signatureHeader, verifySignature } from './webhook-message.js';
import { WebhookAddressRefused, WebhookNetworkPolicy } from './webhook-network.js';

const fieldOf = (work: () => unknown): string => {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return Object.keys((error as InvalidInputError).details.fields as object)[0];
  }
  throw new Error('accepted');
};

describe('webhook signatures', () => {
  const secret = 'whsec-0123456789abcdef';
  const body = '{"event":"alarm.transition","alarm":{"id":1}}';

  it('signs {timestamp}.{body} with HMAC-SHA256, as the README tells receivers to check', () => {
    const expected = createHmac('sha256', secret).update(`1764820800.${body}`).digest('hex');
    expect(signatureHeader(secret, 1764820800, body)).toBe(`t=1764820800,v1=${expected}`);
  });

  it('verifies its own header, and refuses another body, another secret or an old timestamp', () => {
    const now = 1764820800_000;
    const header = signatureHeader(secret, now / 1000, body);
    expect(verifySignature(header, body, secret, { now })).toBe(true);
    expect(verifySignature(header, body.replace('1', '2'), secret, { now })).toBe(false);
    expect(verifySignature(header, body, `${secret}x`, { now })).toBe(false);
    expect(verifySignature(header, body, secret, { now: now + 301_000 })).toBe(false);
    expect(verifySignature(undefined, body, secret, { now })).toBe(false);
    expect(verifySignature('t=1,v1=zz', body, secret, { now })).toBe(false);
  });
});

describe('webhook URLs and secrets', () => {
  it.each(['https://hooks.example.com/plantgraph', 'http://10.1.2.3:8080/alarms?x=1', 'http://[2001:db8::1]/a'])(
    'accepts %s',
    (url) => expect(() => checkWebhookUrl(url)).not.toThrow(),
  );

  it.each([
    'not a url',
    'ftp://files.example.com/x',
    'file:///etc/passwd',
    'https://user:pass@hooks.example.com/',
    'https://hooks.example.com/#frag',
    `https://hooks.example.com/${'a'.repeat(2000)}`,
  ])('refuses %s, naming url', (url) => expect(fieldOf(() => checkWebhookUrl(url))).toBe('url'));

  it('wants a secret of 16 to 256 printable characters', () => {
    expect(() => checkWebhookSecret('0123456789abcdef')).not.toThrow();
    expect(fieldOf(() => checkWebhookSecret('short'))).toBe('secret');
    expect(fieldOf(() => checkWebhookSecret('with spaces inside it'))).toBe('secret');
  });
});

describe('where webhooks may go', () => {
  const closed = new WebhookNetworkPolicy('');

  it.each(['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'])('lets public %s through', (ip) =>
    expect(() => closed.check(ip)).not.toThrow(),
  );

  it.each([
    '127.0.0.1',
    '10.0.0.5',
    '172.20.1.1',
    '192.168.1.10',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    'fe80::1',
    'fd00::1',
    '::ffff:127.0.0.1',
    '::ffff:a9fe:a9fe',
    '64:ff9b::a00:1',
  ])('refuses %s unless allowed', (ip) => expect(() => closed.check(ip)).toThrow(WebhookAddressRefused));

  it('lets the allowed networks through, and only those', () => {
    const plant = new WebhookNetworkPolicy('10.20.0.0/16, 127.0.0.1/32');
    expect(() => plant.check('10.20.3.4')).not.toThrow();
    expect(() => plant.check('127.0.0.1')).not.toThrow();
    expect(() => plant.check('::ffff:127.0.0.1')).not.toThrow();
    expect(() => plant.check('10.21.0.1')).toThrow(WebhookAddressRefused);
    expect(() => plant.check('127.0.0.2')).toThrow(WebhookAddressRefused);
  });

  it('refuses a malformed network at boot', () => {
    expect(() => new WebhookNetworkPolicy('10.0.0.0/33')).toThrow('WEBHOOK_ALLOWED_NETWORKS');
    expect(() => new WebhookNetworkPolicy('example.com/8')).toThrow('WEBHOOK_ALLOWED_NETWORKS');
  });
});
