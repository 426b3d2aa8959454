import { describe, expect, it } from 'vitest';
import { apnsPushTypes, bundleOf, topicFitsPushType, topicSuffixByPushType } from '../../../simulator/apns/push-types.js';

describe('push types and topics (protocols.md §1.3)', () => {
  it('strips a push-type suffix to find the bundle id', () => {
    expect(bundleOf('com.example.app')).toBe('com.example.app');
    expect(bundleOf('com.example.app.voip')).toBe('com.example.app');
    expect(bundleOf('com.example.app.voip-ptt')).toBe('com.example.app');
    expect(bundleOf('com.example.app.push-type.liveactivity')).toBe('com.example.app');
    expect(bundleOf('.voip')).toBe('.voip');
  });

  it('knows the topic shape of every push type but mdm', () => {
    for (const type of apnsPushTypes) {
      if (type === 'mdm') {
        expect(topicFitsPushType('anything', type)).toBe(true);
        continue;
      }
      const suffix = topicSuffixByPushType.get(type) ?? '';
      expect(topicFitsPushType(`com.example.app${suffix}`, type)).toBe(true);
      if (suffix !== '') expect(topicFitsPushType('com.example.app', type)).toBe(false);
    }
    expect(topicFitsPushType('com.example.app.voip', 'alert')).toBe(false);
    expect(topicFitsPushType('com.example.app.complication', 'background')).toBe(false);
  });
});
