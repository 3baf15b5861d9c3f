import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { InvalidInputError } from '../../shared/errors/domain-errors.js';
import type { OutboxChannel, OutboxMessage } from '../../shared/outbox/outbox-message.js';
import { Outbox } from '../../shared/outbox/outbox.service.js';
import { PubSub } from '../../shared/pubsub/pub-sub.js';
import { investigateLeak, type InvestigationInput, type InvestigationOutcome } from '../domain/leak-investigation.js';
import { followUpDue } from '../domain/investigation-follow-up.js';
import type { LeakCandidate } from '../domain/leak-candidates.js';
import type { SensorRef } from '../domain/registry.js';
import type { SystemEventRow } from './anomaly-levels.ports.js';
import { AnomalyLevelsService, type CriticalReading } from './anomaly-levels.service.js';
import { LEAK_INVESTIGATION_ADDED } from './leak-kinds.js';
import {
  LeakInvestigationRepository,
  type InvestigationFilter,
  type InvestigationRecord,
  type InvestigationTrigger,
  type StoredInvestigation,
} from './leak-investigations.ports.js';
import { LeakRegistryService } from './leak-registry.service.js';
import { LeakSimulationInputsService } from './leak-simulation-inputs.service.js';

/** The outbox channel investigations travel on (a task run after its cause committed, at least once). */
export const LEAK_INVESTIGATION_CHANNEL = 'leak-investigation';

interface InvestigationRequest {
  sensorId: number;
  at: string;
  trigger: InvestigationTrigger;
  /** A follow-up of a CRITICAL episode (absent: the change to CRITICAL itself). */
  followUp?: FollowUp;
}

/** Stored in the investigation's details (the trigger column holds CRITICAL or REQUEST). */
interface FollowUp {
  /** 1, 2, … within the episode. */
  number: number;
  /** The reading that changed the level to CRITICAL. */
  criticalAt: string;
  readingsSinceCritical: number;
}

export type LiveInvestigation = StoredInvestigation & { sensorName: string };

/**
 * Simulation and estimation on CRITICAL (issue 13 item 7, reference C.4–C.5). A sensor's
 * transition to CRITICAL requests an investigation in the anomaly stage's own transaction
 * (through the outbox: it survives a crash and runs once per sensor and reading); the outbox
 * worker runs it: the template's candidate leaks simulated at the sensor over the window's sea
 * currents and compared with the sensor's readings and its neighbours' (domain/leak-investigation.ts:
 * a few milliseconds, run inline so that it never waits behind a long job in the worker pool). The result is stored (CONFIRMED naming the leak, EXTERNAL_CAUSE,
 * UNDEFINED, NOT_SUPPORTED for a closed template), raised as a system event and published.
 * Operators can also investigate any reading on request.
 *
 * A strong, sudden leak goes CRITICAL before the window holds enough of its plume to be named,
 * so while the sensor stays CRITICAL and none of the episode's investigations has confirmed a
 * leak, it is investigated again every LEAK_REINVESTIGATE_READINGS readings, up to
 * FOLLOW_UPS_PER_EPISODE times (domain/investigation-follow-up.ts): requested the same way, in
 * the stage's transaction, by the sensor's owner, once per episode and follow-up (its outbox key)
 * and so once per sensor and reading, trigger CRITICAL with `details.followUp`. The readings
 * since the change are counted by the stage from stored state, so a restart neither repeats nor
 * skips one.
 */
@Injectable()
export class LeakInvestigationsService implements OutboxChannel<InvestigationRequest>, OnModuleInit {
  readonly name = LEAK_INVESTIGATION_CHANNEL;
  /** Told of each investigation's result (alarms raise a confirmed leak); at least once. */
  private readonly resultListeners: Array<(investigation: LiveInvestigation) => Promise<void>> = [];

  constructor(
    private readonly repository: LeakInvestigationRepository,
    private readonly registry: LeakRegistryService,
    private readonly inputs: LeakSimulationInputsService,
    private readonly levels: AnomalyLevelsService,
    private readonly outbox: Outbox,
    private readonly pubsub: PubSub,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.outbox.registerChannel(this);
    this.levels.onCritical((sensorId, at) => this.request(sensorId, at));
    this.levels.onStillCritical((reading) => this.requestFollowUp(reading));
  }

  /** Requests one in the caller's transaction; the same sensor and reading again adds nothing. */
  async request(sensorId: number, at: Date): Promise<void> {
    const request: InvestigationRequest = { sensorId, at: at.toISOString(), trigger: 'CRITICAL' };
    await this.outbox.enqueue(this.name, `leak-investigation:${sensorId}:${request.at}`, request);
  }

  /**
   * In the stage's transaction, for each further CRITICAL reading: follow-up k from the reading
   * k·LEAK_REINVESTIGATE_READINGS on, once the change's own investigation is stored (readings may
   * come faster than investigations: a follow-up requested before knowing the change confirmed
   * the leak would be for nothing) and nothing since the change confirmed a leak. Once per
   * episode and k: the outbox key names them, so the readings after the one that requested it,
   * a replayed batch and a new owner after a restart add nothing.
   */
  private async requestFollowUp({ sensorId, at, episode }: CriticalReading): Promise<void> {
    const number = followUpDue(episode.readings, this.config.LEAK_REINVESTIGATE_READINGS);
    if (number === null) return;
    const criticalAt = episode.since.toISOString();
    if (!(await this.repository.find(sensorId, episode.since))) return;
    if (await this.repository.confirmedBetween(sensorId, episode.since, at)) return;
    const request: InvestigationRequest = {
      sensorId,
      at: at.toISOString(),
      trigger: 'CRITICAL',
      followUp: { number, criticalAt, readingsSinceCritical: episode.readings },
    };
    await this.outbox.enqueue(this.name, `leak-investigation:${sensorId}:${criticalAt}:follow-up-${number}`, request);
  }

  /** The outbox worker's call. */
  async send(message: OutboxMessage<InvestigationRequest>): Promise<void> {
    const { sensorId, at, trigger, followUp } = message.payload;
    const sensor = this.registry.findSensorById(sensorId);
    // Deleted meanwhile: its investigations went with it.
    if (!sensor) return;
    // An earlier investigation of the episode confirmed the leak after this follow-up was requested:
    // nothing to add (unless this one was stored by an earlier attempt: then its listeners are owed it).
    if (
      followUp &&
      !(await this.repository.find(sensorId, new Date(at))) &&
      (await this.repository.confirmedBetween(sensorId, new Date(followUp.criticalAt), new Date(at)))
    )
      return;
    const investigation = await this.investigate(sensor, new Date(at), trigger, followUp);
    // Also when it was stored by an earlier attempt: that attempt may have failed in a listener, and they are idempotent.
    for (const listener of this.resultListeners) await listener(investigation);
  }

  /** `listener` hears the result of every investigation requested on CRITICAL, at least once (the outbox retries). */
  onResult(listener: (investigation: LiveInvestigation) => Promise<void>): void {
    this.resultListeners.push(listener);
  }

  /** On request (leaks:operate): investigates the sensor's reading at or before `at`, or answers the one done. */
  async investigateOnRequest(sensorName: string, at: Date): Promise<LiveInvestigation> {
    const [sensor] = this.registry.requireSensorsByName([sensorName], 'sensorName');
    return this.investigate(sensor, at, 'REQUEST');
  }

  async list(
    query: { sensorNames?: readonly string[] | null; results?: InvestigationFilter['results'] | null },
    page: { offset: number; limit: number },
  ) {
    const sensorIds = query.sensorNames?.length
      ? this.registry.requireSensorsByName(query.sensorNames).map((s) => s.id)
      : undefined;
    const result = await this.repository.list({ sensorIds, results: query.results ?? undefined }, page);
    return { ...result, items: result.items.map((i) => this.named(i)) };
  }

  live(): AsyncIterableIterator<LiveInvestigation> {
    return this.pubsub.subscribe<LiveInvestigation>(LEAK_INVESTIGATION_ADDED);
  }

  private async investigate(
    sensor: SensorRef,
    at: Date,
    trigger: InvestigationTrigger,
    followUp?: FollowUp,
  ): Promise<LiveInvestigation> {
    const done = await this.repository.find(sensor.id, at);
    if (done) return this.named(done);
    const outcome = await this.outcomeRecord(sensor, at, trigger);
    const record = followUp ? { ...outcome, details: { ...outcome.details, followUp } } : outcome;
    const stored = await this.repository.add(record);
    // Another worker stored it meanwhile: theirs stands, announced by them.
    if (!stored) return this.named((await this.repository.find(sensor.id, at))!);
    const live = this.named(stored);
    await this.levels.raiseSystemEvent(systemEventOf(live));
    await this.pubsub.publish<LiveInvestigation>(LEAK_INVESTIGATION_ADDED, live);
    return live;
  }

  private async outcomeRecord(
    sensor: SensorRef,
    at: Date,
    trigger: InvestigationTrigger,
  ): Promise<InvestigationRecord> {
    const base = { sensorId: sensor.id, at, trigger, confirmedCandidateId: null, confirmedName: null };
    let simulation: Awaited<ReturnType<LeakSimulationInputsService['simulationInput']>>;
    try {
      simulation = await this.inputs.simulationInput(sensor.name, at);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return { ...base, result: 'UNDEFINED', reason: 'NO_CURRENTS', details: { message: error.message } };
    }
    const neighbours = this.registry
      .allSensors()
      .filter((s) => s.templateId === sensor.templateId && s.id !== sensor.id);
    const readings = await this.repository.readingsUpTo([sensor.id, ...neighbours.map((s) => s.id)], at, sensor.window);
    const own = readings.get(sensor.id) ?? [];
    if (own.length < 2)
      return { ...base, result: 'UNDEFINED', reason: 'NO_READINGS', details: { readings: own.length } };
    const input: InvestigationInput = {
      candidateIds: simulation.candidates.map((c) => c.id),
      simulation: simulation.input,
      readings: own,
      neighbours: neighbours.map((s) => readings.get(s.id) ?? []).filter((series) => series.length >= 2),
    };
    // Inline, not in the worker pool: a few milliseconds for a template's candidates over a window,
    // and an urgent result must not queue behind a baseline job holding the pool's thread.
    const outcome = investigateLeak(input);
    return recordOf(base, outcome, simulation.candidates);
  }

  private named(investigation: StoredInvestigation): LiveInvestigation {
    const sensorName = this.registry.findSensorById(investigation.sensorId)?.name ?? String(investigation.sensorId);
    return { ...investigation, sensorName };
  }
}

function recordOf(
  base: Pick<InvestigationRecord, 'sensorId' | 'at' | 'trigger' | 'confirmedCandidateId' | 'confirmedName'>,
  outcome: InvestigationOutcome,
  candidates: readonly LeakCandidate[],
): InvestigationRecord {
  if (outcome.result === 'NOT_SUPPORTED' || !('hypotheses' in outcome))
    return { ...base, result: outcome.result, reason: outcome.reason, details: {} };
  const nameOf = new Map(candidates.map((c) => [c.id, c]));
  const details = {
    candidates: outcome.hypotheses.map((h, k) => ({
      candidateId: h.id,
      name: nameOf.get(h.id)?.name ?? null,
      crossCorrelation: h.crossCorrelation,
      crossCorrelationLag: h.crossCorrelationLag,
      dtwDistance: h.dtwDistance,
      finalZ: h.finalZ,
      flat: h.flat,
      detectionRate: outcome.detectionRates[k],
    })),
    neighbourCorrelation: outcome.neighbourCorrelation,
    referenceLength: outcome.referenceLength,
    parameters: outcome.parameters,
  };
  if (outcome.result !== 'CONFIRMED') return { ...base, result: outcome.result, reason: outcome.reason, details };
  const leak = nameOf.get(outcome.confirmed);
  return {
    ...base,
    result: 'CONFIRMED',
    reason: outcome.reason,
    confirmedCandidateId: outcome.confirmed,
    confirmedName: leak ? `${leak.name}(${leak.x},${leak.y},${leak.z})` : String(outcome.confirmed),
    details,
  };
}

/** The operator notice (reference: confirmed or external cause → alert_critical, undefined → alert_success). */
function systemEventOf(i: LiveInvestigation): SystemEventRow {
  const followUp = i.details.followUp as FollowUp | undefined;
  // A follow-up says which CRITICAL it follows up.
  const when = followUp
    ? `${i.at.toISOString()}, follow-up ${followUp.number} of the CRITICAL at ${followUp.criticalAt}`
    : i.at.toISOString();
  switch (i.result) {
    case 'CONFIRMED':
      return {
        type: 'ALERT_CRITICAL',
        sensorId: i.sensorId,
        message: `The estimation is finished. [confirmed] The leakage is ${i.confirmedName} (sensor ${i.sensorName}, ${when})`,
      };
    case 'EXTERNAL_CAUSE':
      return {
        type: 'ALERT_CRITICAL',
        sensorId: i.sensorId,
        message: `The estimation is finished. [external cause] The template's other sensors move with ${i.sensorName} (${when})`,
      };
    case 'UNDEFINED':
      return {
        type: 'ALERT_SUCCESS',
        sensorId: i.sensorId,
        message: `The estimation is finished. [undefined] No candidate leak explains ${i.sensorName} (${i.reason}, ${when})`,
      };
    case 'NOT_SUPPORTED':
      return {
        type: 'INFO',
        sensorId: i.sensorId,
        message: `No estimation for ${i.sensorName}: ${i.reason}`,
      };
  }
}
