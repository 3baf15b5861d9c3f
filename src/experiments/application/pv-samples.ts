import type { LeftOut, SourceLookup } from '../../shared/ingestion/sample-kind.js';
import type { PvRef } from '../domain/experiments.js';
import { isPvName, pvNameOfTopicPath } from '../domain/pv-name.js';
import { sampleOf, type PvReading, type PvSample } from '../domain/pv-values.js';

/**
 * The PV a topic's levels after `plant/pv/` name. A name no PV could have is refused without
 * being listed: it could never be registered.
 */
export function lookUpPv(find: (name: string) => PvRef | undefined, path: string): SourceLookup<PvRef> {
  const name = pvNameOfTopicPath(path);
  const pv = find(name);
  if (pv) return { found: pv };
  if (!isPvName(name)) return { invalid: 'the topic holds no valid PV name' };
  return { unregistered: { kind: 'pv', key: name } };
}

/** The readings as samples of the PV; readings of the wrong type are left out (and counted), the rest stored. */
export function pvSamples(pv: PvRef, readings: readonly PvReading[], leftOut: LeftOut): PvSample[] {
  const samples: PvSample[] = [];
  for (const reading of readings) {
    const outcome = sampleOf(pv, reading);
    if ('sample' in outcome) samples.push(outcome.sample);
    else leftOut('invalid_pv_value', `PV ${pv.name}: the value ${outcome.problem}`);
  }
  return samples;
}
