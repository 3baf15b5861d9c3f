/** What an unregistered topic would belong to once registered. */
export type UnregisteredSourceKind = 'machine' | 'axis' | 'sensor' | 'pv';
export const UNREGISTERED_SOURCE_KINDS: readonly UnregisteredSourceKind[] = ['machine', 'axis', 'sensor', 'pv'];

export interface UnregisteredSource {
  topic: string;
  kind: UnregisteredSourceKind;
  /** The machine code (sensor name, PV name) taken from the topic. */
  sourceKey: string;
  /** The missing part of a registered source (an axis), or null when the source itself is missing. */
  part: string | null;
  firstSeenAt: Date;
  lastSeenAt: Date;
  messageCount: number;
}
