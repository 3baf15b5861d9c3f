import { Global, Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module.js';
import { JobService } from './job.service.js';
import { JobsRepository } from './jobs.repository.js';
import { JobsResolver } from './jobs.resolver.js';
import { WorkerPool } from './worker-pool.service.js';

/** Long jobs (job.service.ts) and the worker threads that keep heavy computation off the event loop. */
@Global()
@Module({
  imports: [DatabaseModule],
  providers: [JobsRepository, JobService, WorkerPool, JobsResolver],
  exports: [JobService, WorkerPool],
})
export class JobsModule {}
