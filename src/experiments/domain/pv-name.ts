/**
 * PV names as the lab writes them (EPICS style): `Test:Machine3:FanSpeed1`. The text before
 * the first `:` names the experiment the PV belongs to (a name without `:` is its own
 * experiment, as in the original). On MQTT every `:` becomes a topic level:
 * `plant/pv/Test/Machine3/FanSpeed1` in, `{pvSetPrefix}/Test/Machine3/FanSpeed1` out.
 */

/** One segment between colons: what a topic level can carry, without MQTT wildcards or '/'. */
const SEGMENT = '[A-Za-z0-9_.-]+';
export const PV_NAME = new RegExp(`^${SEGMENT}(:${SEGMENT})*$`);
export const EXPERIMENT_NAME = new RegExp(`^${SEGMENT}$`);
export const MAX_PV_NAME_LENGTH = 100;
export const PV_NAME_RULE = 'must be 1 to 100 characters: segments of letters, digits, "_", "-" or "." joined by ":"';

export function isPvName(name: string): boolean {
  return name.length <= MAX_PV_NAME_LENGTH && PV_NAME.test(name);
}

export function isExperimentName(name: string): boolean {
  return name.length <= MAX_PV_NAME_LENGTH && EXPERIMENT_NAME.test(name);
}

/** The experiment a PV belongs to: the text before its first ':'. */
export function experimentOfPv(pvName: string): string {
  const colon = pvName.indexOf(':');
  return colon < 0 ? pvName : pvName.slice(0, colon);
}

/** `Test:Machine3:FanSpeed1` → `Test/Machine3/FanSpeed1`. */
export function pvTopicPath(pvName: string): string {
  return pvName.replaceAll(':', '/');
}

/** The levels after `plant/pv/` back to a PV name: `Test/Machine3/FanSpeed1` → `Test:Machine3:FanSpeed1`. */
export function pvNameOfTopicPath(path: string): string {
  return path.replaceAll('/', ':');
}
