import { describe, expect, it } from 'vitest';
import { createDeviceRegistry } from '../../../simulator/apns/devices.js';

describe('device registry', () => {
  it('unregisters at the clock time by default, or at a given timestamp', () => {
    const devices = createDeviceRegistry({ now: () => 1_700_000_000_000 });
    devices.unregister('a');
    devices.unregister('b', 1_458_114_061_260);
    expect(devices.isUnregistered('a')).toBe(1_700_000_000_000);
    expect(devices.isUnregistered('b')).toBe(1_458_114_061_260);
    expect(devices.isUnregistered('c')).toBeUndefined();
    expect(devices.count()).toBe(2);
  });

  it('re-registers a token, and compares tokens exactly', () => {
    const devices = createDeviceRegistry();
    devices.unregister('abc');
    expect(devices.isUnregistered('ABC')).toBeUndefined();
    devices.reregister('abc');
    expect(devices.isUnregistered('abc')).toBeUndefined();
    expect(devices.count()).toBe(0);
  });

  it('works with methods passed around unbound (the server hands isUnregistered to the validator)', () => {
    const devices = createDeviceRegistry();
    const { unregister, isUnregistered } = devices;
    unregister('t', 5);
    expect(isUnregistered('t')).toBe(5);
  });
});
