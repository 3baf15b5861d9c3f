import { Injectable } from '@nestjs/common';
import { InvalidInputError } from '../../shared/errors/domain-errors.js';
import { WorkerPool } from '../../shared/jobs/worker-pool.service.js';
import { defaultExclusionZone, type MatrixProfile } from '../domain/matrix-profile.js';
import { LeakRegistryService } from './leak-registry.service.js';
import { ImportedReadingsRepository } from './readings-import.ports.js';

/**
 * Readings one batch profile may cover. The batch profile is O(n²): 20,000 points at m = 144
 * take about a second of one worker thread (README, Long jobs), and hold that thread meanwhile.
 */
export const PROFILE_MAX_POINTS = 20_000;

export interface ProfileRequest {
  window: number;
  normalized: boolean;
  from?: Date | null;
  to?: Date | null;
  exclusionZone?: number | null;
}

/** A matrix profile with the series it was computed on (its first and last time and length). */
export interface PpmvProfile extends MatrixProfile {
  sensorName: string;
  points: number;
  firstAt: Date | null;
  lastAt: Date | null;
}

/**
 * The batch matrix profile of a sensor's stored series (domain/matrix-profile.ts), computed in
 * a worker thread, so that a client can check the live anomaly levels against it.
 */
@Injectable()
export class PpmvProfileService {
  constructor(
    private readonly registry: LeakRegistryService,
    private readonly readings: ImportedReadingsRepository,
    private readonly pool: WorkerPool,
  ) {}

  async profile(sensorName: string, request: ProfileRequest): Promise<PpmvProfile> {
    const [sensor] = this.registry.requireSensorsByName([sensorName], 'sensorName');
    if (request.from && request.to && request.from > request.to)
      throw new InvalidInputError('from must not be after to', { from: 'must be at most to' });
    const series = await this.readings.series(sensor.id, request, PROFILE_MAX_POINTS + 1);
    const points = series.ppmv.length;
    if (points > PROFILE_MAX_POINTS)
      throw new InvalidInputError(
        `The sensor has more than ${PROFILE_MAX_POINTS} readings in the window: narrow it with from and to`,
        {
          from: `narrow the window to at most ${PROFILE_MAX_POINTS} readings`,
          to: `narrow the window to at most ${PROFILE_MAX_POINTS} readings`,
        },
      );
    if (request.window > points)
      throw new InvalidInputError(`The window ${request.window} exceeds the ${points} readings of the series`, {
        window: `must be at most the number of readings (${points})`,
      });
    const profile = await this.pool.run<MatrixProfile>({
      module: new URL('../domain/matrix-profile.js', import.meta.url),
      fn: 'matrixProfile',
      args: [
        series.ppmv,
        request.window,
        {
          normalized: request.normalized,
          exclusionZone: request.exclusionZone ?? defaultExclusionZone(request.window),
        },
      ],
      transfer: [series.ppmv.buffer as ArrayBuffer],
    });
    return {
      ...profile,
      sensorName: sensor.name,
      points,
      firstAt: points ? new Date(series.times[0]) : null,
      lastAt: points ? new Date(series.times[points - 1]) : null,
    };
  }
}
