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
  /**
   * Cancels the running job and stops: how many jobs started, how many finished, and how long
   * a finished one took on average (null when none finished).
   */
  stop(): Promise<{ started: number; finished: number; meanSeconds: number | null }>;
}

/**
 * Issue 13's load for bench:boards and bench:ingest (`--baseline-job`): a sensor with 50,000
 * readings (30 s apart, inside the job's 30-day look-back) and one baseline selection job after
 * another on it, each in the service's worker pool, as an operator's request would run them
 * (paced to JOB_CPU_PERCENT of a core, as the service is configured).
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
  const readings = app.get(ImportedReadingsRepository);
  await readings.insert(sensor.id, { times, ppmv });
  // A cancelled job's worker thread is replaced; the new one starts (an isolate, its modules)
  // here rather than inside the next window measured with a job: a service's thread lives on.
  const warmThread = () => readings.series(sensor.id, {}, 1);
  await warmThread();
  const baselines = app.get(SensorBaselinesService);
  const jobs = app.get(JobService);
  let stopped = false;
  let running: Promise<void> | undefined;
  let current: string | undefined;
  let started = 0;
  const durations: number[] = [];
  const loop = async () => {
    while (!stopped) {
      const began = Date.now();
      const job = await baselines.start(SELECT_BASELINE_JOB, sensor.name, BENCH_USER);
      current = job.id;
      started++;
      // Stopped while this one was being started: it goes at once too.
      if (stopped) await jobs.cancel(job.id, BENCH_USER).catch(() => undefined);
      for (;;) {
        const state = (await jobs.get(job.id, BENCH_USER)).state;
        if (state === 'QUEUED' || state === 'RUNNING') {
          await new Promise((resolve) => setTimeout(resolve, 50));
          continue;
        }
        if (state === 'SUCCEEDED') durations.push((Date.now() - began) / 1000);
        else if (!(stopped && state === 'CANCELLED')) throw new Error(`The baseline job ended ${state}`);
        break;
      }
      current = undefined;
    }
  };
  return {
    start() {
      stopped = false;
      started = 0;
      durations.length = 0;
      running = loop();
    },
    async stop() {
      stopped = true;
      if (current) await jobs.cancel(current, BENCH_USER).catch(() => undefined);
      await running;
      await warmThread();
      const meanSeconds = durations.length ? durations.reduce((a, b) => a + b, 0) / durations.length : null;
      return { started, finished: durations.length, meanSeconds };
    },
  };
}
