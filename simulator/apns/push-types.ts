/**
 * APNs push types and the topic each one must be sent to (protocols.md §1.2, §1.3, from apns2's
 * notification.go doc comments): a VoIP push goes to `<bundle>.voip`, a Live Activity to
 * `<bundle>.push-type.liveactivity`, and so on; alert and background go to the bare bundle id.
 */

/** apns-push-type values, protocols.md §1.2. */
export const apnsPushTypes: ReadonlySet<string> = new Set([
  'alert',
  'background',
  'location',
  'voip',
  'complication',
  'fileprovider',
  'mdm',
  'liveactivity',
  'pushtotalk',
]);

/** Topic suffix per push type (§1.3). `mdm` is absent: its topic is the MDM certificate's UID, anything goes. */
export const topicSuffixByPushType: ReadonlyMap<string, string> = new Map([
  ['alert', ''],
  ['background', ''],
  ['voip', '.voip'],
  ['complication', '.complication'],
  ['fileprovider', '.pushkit.fileprovider'],
  ['location', '.location-query'],
  ['liveactivity', '.push-type.liveactivity'],
  ['pushtotalk', '.voip-ptt'],
]);

const knownSuffixes = [...new Set(topicSuffixByPushType.values())].filter((suffix) => suffix !== '');

/** Push types that Apple accepts only over token-based connections (§1.3). */
export const tokenAuthOnlyPushTypes: ReadonlySet<string> = new Set(['location', 'liveactivity']);

/** The bundle id a topic belongs to: the topic without its push-type suffix. */
export function bundleOf(topic: string): string {
  for (const suffix of knownSuffixes) {
    if (topic.length > suffix.length && topic.endsWith(suffix)) return topic.slice(0, -suffix.length);
  }
  return topic;
}

/**
 * True when `topic` has the shape `pushType` requires. alert and background must not carry another
 * type's suffix. Unknown push types are left to the InvalidPushType check.
 */
export function topicFitsPushType(topic: string, pushType: string): boolean {
  const suffix = topicSuffixByPushType.get(pushType);
  if (suffix === undefined) return true;
  if (suffix === '') return bundleOf(topic) === topic;
  return topic.length > suffix.length && topic.endsWith(suffix);
}
