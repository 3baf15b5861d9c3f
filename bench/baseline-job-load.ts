import type { INestApplicationContext } from '@nestjs/common';
import { ImportedReadingsRepository } from '../src/leak-detection/application/readings-import.ports.js';
import { LeakRegistryService } from '../src/leak-detection/application/leak-registry.service.js';
import {
  BASELINE_MAX_READINGS,
  SELECT_BASELINE_JOB,
  SensorBaselinesService,
} from '../src/leak-detection/application/sensor-baselines.service.js';
import { seedContinuation } from '../src/leak-detection/domain/seed-baselines.js';
import type { Principal } from '../src/shared/auth/principal.js';
import { ALL_PERMISSIONS } from '../src/shared/auth/permissions.js';
import { JobService } from '../src/shared/jobs/job.service.js';

const BENCH_USER: Principal = {
  id: '00000000-0000-0000-0000-00000000bec4',
  email: 'bench@plantgraph.local',
  displayName: 'bench',
  cardUid: null,
  roles: ['admin'],
  permissions: new Set(ALL_PERMISSIONS),
};

export interface BaselineJobLoad {
  /** Keeps a baseline selection job over BASELINE_MAX_READINGS readings running until `stop`. */
  start(): void;
  /** Stops after the running job; how many jobs ran and how long each took on average. */
  stop(): Promise<{ jobs: number; meanSeconds: number }>;
}

/**
 * Issue 13's load for bench:boards and bench:ingest (`--baseline-job`): a sensor with 50,000
 * readings (30 s apart, inside the job's 30-day look-back) and one baseline selection job after
 * another on it, each in the service's worker pool, as an operator's request would run them.
 */
export async function prepareBaselineJobLoad(app: INestApplicationContext): Promise<BaselineJobLoad> {
  const registry = app.get(LeakRegistryService);
  const [field] = await registry.listFields();
  const template = await registry.createTemplate(field.id, {
    name: `bench-${process.pid}`,
    angleFromNorth: 0,
    height: 8,
  });
  const sensor = await registry.createSensor(template.id, { name: `bench-bl-${process.pid}`, x: 0, y: 0, z: 0 });
  const day = seedContinuation('high', 5);
  const n = BASELINE_MAX_READINGS;
  const start = Date.now() - n * 30_000;
  const times = Float64Array.from({ length: n }, (_, k) => start + k * 30_000);
  const ppmv = Float64Array.from({ length: n }, (_, k) => day[k % day.length]);
  await app.get(ImportedReadingsRepository).insert(sensor.id, { times, ppmv });
  const baselines = app.get(SensorBaselinesService);
  const jobs = app.get(JobService);
  let stopped = false;
  let running: Promise<void> | undefined;
  const durations: number[] = [];
  const loop = async () => {
    while (!stopped) {
      const began = Date.now();
      const job = await baselines.start(SELECT_BASELINE_JOB, sensor.name, BENCH_USER);
      for (;;) {
        const state = (await jobs.get(job.id, BENCH_USER)).state;
        if (state !== 'QUEUED' && state !== 'RUNNING') {
          if (state !== 'SUCCEEDED') throw new Error(`The baseline job ended ${state}`);
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      durations.push((Date.now() - began) / 1000);
    }
  };
  return {
    start() {
      stopped = false;
      running = loop();
    },
    async stop() {
      stopped = true;
      await running;
      const meanSeconds = durations.reduce((a, b) => a + b, 0) / Math.max(durations.length, 1);
      const result = { jobs: durations.length, meanSeconds };
      durations.length = 0;
      return result;
    },
  };
}
