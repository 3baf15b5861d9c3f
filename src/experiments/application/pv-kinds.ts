/** The name of the experiments' sample kind, as registered with the ingestion path (experiments.sample-kinds.ts). */
export const PV_KIND = 'pv';

/** Live topic: PV values after each committed batch. */
export const PV_VALUES_ADDED = 'experiments.pvValuesAdded';
