/** The axes a CNC machine may have (PROTOCOLS.md section A). */
export const AXIS_NAMES = ['X', 'Y', 'Z', 'A', 'C'] as const;
export type AxisName = (typeof AXIS_NAMES)[number];

export function isAxisName(value: string): value is AxisName {
  return (AXIS_NAMES as readonly string[]).includes(value);
}

/**
 * What the ingestion path needs to know about a machine, kept in memory: resolving a
 * topic's code to a machine must not cost a query per message.
 */
export interface MachineRef {
  id: number;
  code: string;
  name: string;
  axes: ReadonlySet<AxisName>;
}
