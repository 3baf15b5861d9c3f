import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { PERMISSIONS } from '../shared/auth/permissions.js';
import { SampleIngestion } from '../shared/ingestion/sample-ingestion.service.js';
import { UnregisteredSources } from '../shared/ingestion/unregistered-sources.service.js';
import { AnomalyLevelsService } from './application/anomaly-levels.service.js';
import { PPMV_KIND, PPMV_READINGS_ADDED } from './application/leak-kinds.js';
import { LeakRegistryService } from './application/leak-registry.service.js';
import { lookUpSensor, ppmvSamples, type PpmvReading } from './application/ppmv-samples.js';
import type { SensorRef } from './domain/registry.js';
import type { PpmvSample } from './domain/readings.js';
import { PPMV_SAMPLES } from './infrastructure/ppmv-samples.tables.js';
import { parsePpmv } from './presentation/ppmv-payloads.js';

/** Sensors report every 10 minutes in the field: a sensor silent for a week shows no latest reading. */
const LATEST_WINDOW_MS = 7 * 86_400_000;

/**
 * Leak detection's sample kind (shared/ingestion/sample-kind.ts): `{PLANT_MQTT_ROOT}/sensors/
 * {name}/ppmv` (PROTOCOLS.md section A), parsed at the edge, sentinels and implausible values
 * left out (LEAK_PPMV_LIMIT), stored in ppmv_samples; each reading is then scored by the
 * anomaly levels stage (one owner per sensor), its level stored beside it. Registered before MQTT connects; a deleted sensor's readings and levels go with it.
 */
@Injectable()
export class LeakDetectionSampleKinds implements OnModuleInit {
  constructor(
    private readonly ingestion: SampleIngestion,
    private readonly registry: LeakRegistryService,
    private readonly unregistered: UnregisteredSources,
    private readonly config: AppConfig,
    private readonly anomalyLevels: AnomalyLevelsService,
  ) {}

  async onModuleInit(): Promise<void> {
    this.unregistered.declareReader(['sensor'], PERMISSIONS.LEAKS_READ);
    const limit = this.config.LEAK_PPMV_LIMIT;
    const { stored } = await this.ingestion.register<PpmvReading, PpmvSample, SensorRef>({
      name: PPMV_KIND,
      topic: `${this.config.PLANT_MQTT_ROOT}/sensors/+name/ppmv`,
      parse: parsePpmv,
      lookup: ({ name }) => lookUpSensor(this.registry.findSensorByName(name), name),
      samples: (sensor, readings, leftOut) => ppmvSamples(sensor, readings, limit, leftOut),
      idOf: (sensor) => sensor.id,
      table: PPMV_SAMPLES,
      sourceOf: (sample) => sample.sensorId,
      allSources: () => this.registry.allSensors().map((sensor) => sensor.id),
      partitions: {
        daysAhead: this.config.TELEMETRY_PARTITION_DAYS_AHEAD,
        retentionDays: this.config.LEAK_RETENTION_DAYS,
      },
      latestWindowMs: LATEST_WINDOW_MS,
      live: {
        topic: PPMV_READINGS_ADDED,
        shape: (sample, sensorName) => ({ ...sample, sensorName }),
        codeOf: (id) => this.registry.findSensorById(id)?.name,
      },
      derived: [this.anomalyLevels],
    });
    this.registry.registerDeletionParticipant({
      what: 'readings',
      count: async (ids) => (await Promise.all(ids.map((id) => stored.countOf(id)))).reduce((a, b) => a + b, 0),
      delete: async (ids) => {
        for (const id of ids) await stored.deleteOf(id);
      },
    });
  }
}
