import { describe, expect, it } from 'vitest';
import { isLoopback, parseListenAddress } from '../../../src/util/address.js';

describe('listen addresses', () => {
  it('reads HOST:PORT, [v6]:PORT and a bare PORT (loopback)', () => {
    expect(parseListenAddress('9000')).toEqual({ host: '127.0.0.1', port: 9000 });
    expect(parseListenAddress('[::1]:9000')).toEqual({ host: '::1', port: 9000 });
    expect(parseListenAddress('0.0.0.0:1')).toEqual({ host: '0.0.0.0', port: 1 });
  });

  it('tells loopback hosts from the ones others can reach', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) expect(isLoopback(host)).toBe(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.1', '', 'example.com']) expect(isLoopback(host)).toBe(false);
  });
});
