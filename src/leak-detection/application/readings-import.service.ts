import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { PERMISSIONS } from '../../shared/auth/permissions.js';
import type { Principal } from '../../shared/auth/principal.js';
import { ConflictError } from '../../shared/errors/domain-errors.js';
import { JobService, type JobContext } from '../../shared/jobs/job.service.js';
import type { Job } from '../../shared/jobs/jobs.js';
import { WorkerPool } from '../../shared/jobs/worker-pool.service.js';
import type { ParsedReadings, ReadingsCsvRules, RefusalReason } from '../domain/readings-csv.js';
import { LeakRegistryService } from './leak-registry.service.js';
import { ImportedReadingsRepository } from './readings-import.ports.js';

export const IMPORT_READINGS_JOB = 'leaks.importSensorReadings';

/** The MQTT path's time rules (shared/ingestion/payload-fields.ts): not before 2000, at most 24 h ahead. */
const EARLIEST_MS = Date.UTC(2000, 0, 1);
const MAX_AHEAD_MS = 24 * 3_600_000;

/** Parsing is the first fifth of an import's progress, storing the rest. */
const PARSED = 0.2;

interface ImportInput {
  sensorName: string;
  csv: string;
}

/** An import job's result (Job.result, JSON). */
export interface ReadingsImportResult {
  sensorName: string;
  /** Data lines in the file. */
  rows: number;
  /** Readings stored by this import. */
  stored: number;
  /** Readings whose time was already stored for the sensor, or repeated in the file: the first one kept. */
  duplicates: number;
  refused: { total: number } & Record<RefusalReason, number>;
  /** The first refused line of each reason. */
  examples: ParsedReadings['examples'];
  /** The stored series' first and last time (null when nothing was accepted). */
  from: string | null;
  to: string | null;
}

/**
 * Imports a sensor's historical series from the original system's CSV files as a long job:
 * parsed in a worker thread, refused rows counted by reason (the ingestion path's rules:
 * sentinels and implausible values, LEAK_PPMV_LIMIT), then every accepted reading stored in one
 * transaction that fails whole if the sensor was deleted meanwhile. Imported readings get no
 * anomaly level: levels are scored live, per reading as it arrives.
 */
@Injectable()
export class ReadingsImportService implements OnModuleInit {
  constructor(
    private readonly jobs: JobService,
    private readonly pool: WorkerPool,
    private readonly registry: LeakRegistryService,
    private readonly readings: ImportedReadingsRepository,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.jobs.register<ImportInput, ReadingsImportResult>({
      name: IMPORT_READINGS_JOB,
      permission: PERMISSIONS.LEAKS_WRITE,
      run: (input, job) => this.run(input, job),
    });
  }

  /** Starts the import; an unknown sensor is refused at once (NOT_FOUND), a bad file fails the job. */
  async startImport(sensorName: string, csv: string, user: Principal): Promise<Job> {
    this.registry.requireSensorsByName([sensorName], 'sensorName');
    return this.jobs.start(IMPORT_READINGS_JOB, { sensorName, csv }, user);
  }

  private async run({ sensorName, csv }: ImportInput, job: JobContext): Promise<ReadingsImportResult> {
    job.progress(0, 'parsing');
    const parsed = await this.pool.run<ParsedReadings>({
      module: new URL('../domain/readings-csv.js', import.meta.url),
      fn: 'parseReadingsCsv',
      args: [csv, this.rules()],
      onProgress: (fraction) => job.progress(fraction * PARSED, 'parsing'),
      signal: job.signal,
      background: true,
    });
    const sensor = this.registry.findSensorByName(sensorName);
    if (!sensor) throw deletedMeanwhile(sensorName);
    const accepted = parsed.times.length;
    job.progress(PARSED, `storing ${accepted} readings`);
    return job.commit(async () => {
      const stored = await this.readings.insert(sensor.id, parsed, (fraction) =>
        job.progress(PARSED + (1 - PARSED) * fraction, `storing ${accepted} readings`),
      );
      // Held until the commit: a deletion of the sensor waits for it, or has happened and fails the import whole.
      if (!(await this.readings.holdSensor(sensor.id))) throw deletedMeanwhile(sensorName);
      const refusedTotal = Object.values(parsed.refused).reduce((a, b) => a + b, 0);
      return {
        sensorName,
        rows: parsed.rows,
        stored,
        duplicates: parsed.duplicatesInFile + (accepted - stored),
        refused: { total: refusedTotal, ...parsed.refused },
        examples: parsed.examples,
        from: accepted ? new Date(parsed.times[0]).toISOString() : null,
        to: accepted ? new Date(parsed.times[accepted - 1]).toISOString() : null,
      };
    });
  }

  private rules(): ReadingsCsvRules {
    const now = Date.now();
    const retentionDays = this.config.LEAK_RETENTION_DAYS;
    return {
      ppmvLimit: this.config.LEAK_PPMV_LIMIT,
      earliestMs: EARLIEST_MS,
      latestMs: now + MAX_AHEAD_MS,
      retentionStartMs: retentionDays > 0 ? now - retentionDays * 86_400_000 : -Infinity,
    };
  }
}

function deletedMeanwhile(sensorName: string): ConflictError {
  return new ConflictError(`The sensor ${sensorName} was deleted during the import; nothing was stored`, {
    sensorName,
  });
}
