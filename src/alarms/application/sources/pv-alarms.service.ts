import { Injectable } from '@nestjs/common';
import {
  PvThresholdEpisodesService,
  type PvThresholdEpisodes,
} from '../../../experiments/application/pv-threshold-episodes.service.js';
import type { PvThresholdEvent } from '../../../experiments/application/pv-thresholds.service.js';
import { AlarmConditionsService } from '../alarm-conditions.service.js';
import type { AlarmSource } from '../alarm-signals.js';

export const PV_OUT_OF_BAND = 'PV_OUT_OF_BAND';

export type PvSignal = { raise: true; event: PvThresholdEvent } | { raise: false; at: Date };

/**
 * The PV is out of band while any of its threshold subscriptions has an open episode:
 * raised when the first one starts, cleared when the last one ends. At one instant a start
 * counts before an end, so a value jumping from beyond one limit to beyond the other (one
 * episode ends, the next starts) keeps the alarm active.
 */
export function pvSignals(change: Pick<PvThresholdEpisodes, 'openBefore' | 'events'>): PvSignal[] {
  const ordered = [...change.events].sort(
    (a, b) => a.at.getTime() - b.at.getTime() || (a.kind === b.kind ? 0 : a.kind === 'STARTED' ? -1 : 1),
  );
  const signals: PvSignal[] = [];
  let open = change.openBefore;
  for (const event of ordered)
    if (event.kind === 'STARTED') {
      if (open === 0) signals.push({ raise: true, event });
      open++;
    } else if (open > 0) {
      open--;
      if (open === 0) signals.push({ raise: false, at: event.at });
    }
  return signals;
}

/**
 * Experiments → alarms: threshold episodes raise PV_OUT_OF_BAND on the PV, with its
 * experiment (rules can be scoped to one). Runs in the episodes' transaction on the PV's
 * owner. The per-user e-mails of the subscriptions are sent as before, by the episodes stage.
 */
@Injectable()
export class PvAlarmsService {
  constructor(
    episodes: PvThresholdEpisodesService,
    private readonly conditions: AlarmConditionsService,
  ) {
    // In the constructor, not onModuleInit: the episodes stage may catch up before this module's hooks run.
    episodes.onEpisodes((change) => this.episodesChanged(change));
  }

  async episodesChanged(change: PvThresholdEpisodes): Promise<void> {
    const signals = pvSignals(change);
    if (!signals.length) return;
    await this.conditions.ready();
    const source: AlarmSource = {
      kind: 'PV',
      key: String(change.pvId),
      name: change.pvName,
      experiment: change.experimentName,
    };
    for (const signal of signals)
      if (signal.raise) {
        const { event } = signal;
        const detail = `${event.limit === 'MAX' ? 'above' : 'below'} ${event.limitValue}`;
        await this.conditions.raise(PV_OUT_OF_BAND, source, event.at, { value: event.value, detail });
      } else await this.conditions.clear(PV_OUT_OF_BAND, source, signal.at);
  }
}
