import { Injectable } from '@nestjs/common';
import {
  MachineStateService,
  type OutOfStandardEpisodes,
} from '../../../telemetry/application/machine-state.service.js';
import { AlarmConditionsService } from '../alarm-conditions.service.js';
import type { AlarmSource } from '../alarm-signals.js';

export const OUT_OF_STANDARD = 'OUT_OF_STANDARD';

export type EpisodeSignal = { raise: true; at: Date; value: number } | { raise: false; at: Date };

/**
 * Raise at each episode the batch started, clear at each one it ended — unless the next
 * episode starts at that very reading (an episode ends at a shift change while the machine
 * stays out of standard): then the alarm stays active and counts the new episode.
 */
export function episodeSignals(change: Pick<OutOfStandardEpisodes, 'openBefore' | 'episodes'>): EpisodeSignal[] {
  const signals: EpisodeSignal[] = [];
  const openStart = change.openBefore?.startedAt.getTime();
  change.episodes.forEach((episode, k) => {
    if (episode.startedAt.getTime() !== openStart)
      signals.push({ raise: true, at: episode.startedAt, value: episode.peakCurrent });
    const next = change.episodes[k + 1];
    if (episode.endedAt && next?.startedAt.getTime() !== episode.endedAt.getTime())
      signals.push({ raise: false, at: episode.endedAt });
  });
  return signals;
}

/**
 * Telemetry → alarms: a welding machine's out-of-standard episodes (machine state's alert
 * flag) raise OUT_OF_STANDARD on the MACHINE, cleared when the episode ends. Runs on the
 * replica deriving the machine's state, inside the transaction that stores the episode, so
 * the alarm commits with it or the batch is retried (raising again for an instant already
 * raised changes nothing).
 */
@Injectable()
export class WeldingAlarmsService {
  constructor(
    machineState: MachineStateService,
    private readonly conditions: AlarmConditionsService,
  ) {
    // In the constructor, not onModuleInit: the machine-state stage may catch up before this module's hooks run.
    machineState.onEpisodes((change) => this.episodesChanged(change));
  }

  async episodesChanged(change: OutOfStandardEpisodes): Promise<void> {
    const signals = episodeSignals(change);
    if (!signals.length) return;
    await this.conditions.ready();
    const source: AlarmSource = { kind: 'MACHINE', key: String(change.machineId), name: change.machineCode };
    for (const signal of signals)
      if (signal.raise) await this.conditions.raise(OUT_OF_STANDARD, source, signal.at, { value: signal.value });
      else await this.conditions.clear(OUT_OF_STANDARD, source, signal.at);
  }
}
