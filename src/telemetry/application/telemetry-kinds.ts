/** The names of telemetry's sample kinds, as registered with the ingestion path (telemetry.sample-kinds.ts). */
export const ELECTRICAL_KIND = 'electrical';
export const AXIS_KIND = 'axis';
export const TOOL_KIND = 'tool';
