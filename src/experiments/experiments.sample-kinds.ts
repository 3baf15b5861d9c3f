import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { PERMISSIONS } from '../shared/auth/permissions.js';
import { SampleIngestion } from '../shared/ingestion/sample-ingestion.service.js';
import { UnregisteredSources } from '../shared/ingestion/unregistered-sources.service.js';
import { ExperimentsRegistryService } from './application/experiments-registry.service.js';
import { PV_KIND, PV_VALUES_ADDED } from './application/pv-kinds.js';
import { lookUpPv, pvSamples } from './application/pv-samples.js';
import { PvThresholdEpisodesService } from './application/pv-threshold-episodes.service.js';
import type { PvRef } from './domain/experiments.js';
import type { PvReading, PvSample } from './domain/pv-values.js';
import { PV_SAMPLES } from './infrastructure/pv-samples.tables.js';
import { parsePvValues } from './presentation/pv-payloads.js';

/** A PV silent for a month shows no latest value. */
const LATEST_WINDOW_MS = 30 * 86_400_000;

/**
 * The experiments' sample kind (shared/ingestion/sample-kind.ts): `{PLANT_MQTT_ROOT}/pv/{pv
 * with ':' → '/'}` (PROTOCOLS.md section A), numbers for NUMBER PVs and texts for TEXT PVs in
 * one table (pv_samples). Unknown PVs are listed as unregistered sources (kind pv), visible to
 * experiments administrators. Registered before MQTT connects; a deleted PV's values go with it.
 */
@Injectable()
export class ExperimentsSampleKinds implements OnModuleInit {
  constructor(
    private readonly ingestion: SampleIngestion,
    private readonly registry: ExperimentsRegistryService,
    private readonly unregistered: UnregisteredSources,
    private readonly config: AppConfig,
    private readonly thresholdEpisodes: PvThresholdEpisodesService,
  ) {}

  async onModuleInit(): Promise<void> {
    this.unregistered.declareReader(['pv'], PERMISSIONS.EXPERIMENTS_WRITE);
    const { stored } = await this.ingestion.register<PvReading, PvSample, PvRef>({
      name: PV_KIND,
      topic: `${this.config.PLANT_MQTT_ROOT}/pv/#path`,
      parse: parsePvValues,
      lookup: ({ path }) => lookUpPv((name) => this.registry.findPvByName(name), path),
      samples: pvSamples,
      idOf: (pv) => pv.id,
      table: PV_SAMPLES,
      sourceOf: (sample) => sample.pvId,
      allSources: () => this.registry.allPvs().map((pv) => pv.id),
      partitions: {
        daysAhead: this.config.TELEMETRY_PARTITION_DAYS_AHEAD,
        retentionDays: this.config.EXPERIMENTS_RETENTION_DAYS,
      },
      latestWindowMs: LATEST_WINDOW_MS,
      live: {
        topic: PV_VALUES_ADDED,
        shape: (sample, pvName) => ({ ...sample, pvName }),
        codeOf: (id) => this.registry.findPvById(id)?.name,
      },
      derived: [this.thresholdEpisodes],
    });
    this.registry.registerDeletionParticipant({
      what: 'values',
      count: async (ids) => (await Promise.all(ids.map((id) => stored.countOf(id)))).reduce((a, b) => a + b, 0),
      delete: async (ids) => {
        for (const id of ids) await stored.deleteOf(id);
      },
    });
  }
}
