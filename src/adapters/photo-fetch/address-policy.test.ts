import { describe, expect, it } from 'vitest';
import { checkAddress } from './address-policy.js';

// Pure checks: nothing here connects anywhere.
describe('checkAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.1.2.3', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['169.254.169.254', 'linkLocal'],
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['::ffff:192.168.1.1', 'private'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['fe80::1', 'linkLocal'],
    ['fc00::1', 'uniqueLocal'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['64:ff9b::7f00:1', 'rfc6052'],
    ['2002:7f00:1::', '6to4'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'teredo'],
    ['::127.0.0.1', 'ipv4Compatible'],
    ['::7f00:1', 'ipv4Compatible'],
    ['::a9fe:a9fe', 'ipv4Compatible'],
    ['::8.8.8.8', 'ipv4Compatible'],
    ['::1:2', 'ipv4Compatible'],
  ])('refuses %s (%s)', (address, range) => {
    expect(checkAddress(address, false)).toEqual({ ok: false, range });
  });

  it.each(['93.184.216.34', '2606:4700::1111', '8.8.8.8', '172.32.0.1', '::ffff:93.184.216.34'])(
    'allows the public address %s',
    (address) => {
      expect(checkAddress(address, false)).toEqual({ ok: true });
    },
  );

  it('allows private and loopback addresses only when allowPrivateAddresses is set', () => {
    expect(checkAddress('127.0.0.1', true)).toEqual({ ok: true });
    expect(checkAddress('169.254.169.254', true)).toEqual({ ok: true });
    expect(checkAddress('::1', true)).toEqual({ ok: true });
  });

  it('refuses anything that is not a canonical IP address, even with allowPrivateAddresses', () => {
    expect(checkAddress('localhost', true)).toEqual({ ok: false, range: 'not an IP address' });
    expect(checkAddress('2130706433', false)).toEqual({ ok: false, range: 'not an IP address' });
    expect(checkAddress('', false)).toEqual({ ok: false, range: 'not an IP address' });
  });
});
