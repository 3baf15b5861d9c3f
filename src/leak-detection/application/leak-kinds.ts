/** The name of leak detection's sample kind, as registered with the ingestion path (leak-detection.sample-kinds.ts). */
export const PPMV_KIND = 'ppmv';

/** Live topics: readings after each committed batch; levels, sensor events and system events as they happen. */
export const PPMV_READINGS_ADDED = 'leaks.ppmvReadingsAdded';
export const ANOMALY_LEVELS_ADDED = 'leaks.anomalyLevelsAdded';
export const SENSOR_EVENT_ADDED = 'leaks.sensorEventAdded';
export const SYSTEM_EVENT_ADDED = 'leaks.systemEventAdded';
export const LEAK_INVESTIGATION_ADDED = 'leaks.investigationAdded';
export const LEAK_BASELINE_CHANGED = 'leaks.baselineChanged';
