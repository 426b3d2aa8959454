import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance } from '../../core/did-you-mean.js';

describe('did you mean', () => {
  it('measures edit distance (Levenshtein)', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('rate', 'rate')).toBe(0);
  });

  it('suggests the closest key for a typo, ignoring case, and nothing for a word unlike any', () => {
    expect(didYouMean('cuont', ['count', 'rate', 'executor'])).toBe(' (did you mean "count"?)');
    expect(didYouMean('gracefulstopms', ['gracefulStopMs', 'warmup'])).toBe(' (did you mean "gracefulStopMs"?)');
    expect(didYouMean('thresold', ['thresholds', 'target'])).toBe(' (did you mean "thresholds"?)');
    expect(didYouMean('colour', ['apns', 'fcm', 'webpush'])).toBe('');
    expect(didYouMean('id', ['tls'])).toBe('');
  });
});
