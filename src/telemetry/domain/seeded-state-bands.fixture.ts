import { orderBands, type StateBand } from './machine-state.js';

/** The bands the migration seeds, for unit tests of the state rules. */
export const SEEDED_STATE_BANDS: StateBand[] = orderBands([
  {
    state: 'PRODUCTION',
    priority: 1,
    currentMin: 100,
    currentMax: null,
    voltageMin: null,
    voltageMax: null,
    color: '',
  },
  { state: 'OFF', priority: 2, currentMin: null, currentMax: 5, voltageMin: null, voltageMax: 5, color: '' },
  { state: 'IDLE', priority: 3, currentMin: null, currentMax: null, voltageMin: null, voltageMax: null, color: '' },
]);
