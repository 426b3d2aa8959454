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

describe('device registry: topics and expiry', () => {
  it('answers DeviceTokenNotForTopic for a token registered to other topics, accepting its bundle’s push-type topics', () => {
    const devices = createDeviceRegistry();
    devices.register('t', 'com.example.app');
    expect(devices.check('t', 'com.example.app')).toBeUndefined();
    expect(devices.check('t', 'com.example.app.voip')).toBeUndefined();
    expect(devices.check('t', 'com.example.other')).toEqual({ reason: 'DeviceTokenNotForTopic' });
    devices.register('t', ['com.example.other']);
    expect(devices.check('t', 'com.example.other')).toBeUndefined();
  });

  it('accepts unknown tokens unless strict (Pushy’s rule)', () => {
    const devices = createDeviceRegistry();
    expect(devices.check('u', 'com.example.app')).toBeUndefined();
    devices.setStrict(true);
    expect(devices.check('u', 'com.example.app')).toEqual({ reason: 'DeviceTokenNotForTopic' });
  });

  it('checks unregistered, then expired, then topics; reregister and forget clear the marks', () => {
    const devices = createDeviceRegistry({ now: () => 7 });
    devices.register('t', 'com.example.other');
    devices.expire('t');
    expect(devices.check('t', 'com.example.app')).toEqual({ reason: 'ExpiredToken' });
    devices.unregister('t');
    expect(devices.check('t', 'com.example.app')).toEqual({ reason: 'Unregistered', timestamp: 7 });
    devices.reregister('t');
    expect(devices.check('t', 'com.example.app')).toEqual({ reason: 'DeviceTokenNotForTopic' });
    devices.forget('t');
    expect(devices.check('t', 'com.example.app')).toBeUndefined();
  });
});
