import { randomUUID } from 'node:crypto';
import {
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { Permission } from '../auth/permissions.js';
import type { Principal } from '../auth/principal.js';
import { Transactions } from '../database/transactions.js';
import { isUuid } from '../database/uuid.js';
import { ConflictError, DomainError, ForbiddenError, NotFoundError } from '../errors/domain-errors.js';
import type { PageResult } from '../graphql/pagination.js';
import { PubSub } from '../pubsub/pub-sub.js';
import { JobsRepository } from './jobs.repository.js';
import {
  ADMIN_ROLE,
  canRead,
  isFinished,
  JOB_CHANGED,
  percentOf,
  shortMessage,
  type Job,
  type JobError,
  type JobState,
} from './jobs.js';

/** What a running job's handler is given. */
export interface JobContext {
  readonly id: string;
  /** Aborted when the job is cancelled (from any replica) or the service stops. */
  readonly signal: AbortSignal;
  /** Fraction done in [0, 1] and a few words; stored and published in steps of at least 1 %. */
  progress(fraction: number, message?: string): void;
  /**
   * Runs the job's writes in one transaction that also records the job SUCCEEDED with the
   * result `work` returns: both or neither. A job cancelled meanwhile commits nothing.
   */
  commit<R>(work: () => Promise<R>): Promise<R>;
}

/**
 * A kind of job a context registers: its name, the permission to start and read it, and its
 * handler. The handler reads and computes (heavy parts in the WorkerPool), reports progress,
 * and writes only inside `job.commit`, so that a failure changes nothing half-way. When it
 * writes nothing, what it returns is the job's result.
 */
export interface JobKind<I = unknown, R = unknown> {
  name: string;
  permission: Permission;
  run(input: I, job: JobContext): Promise<R>;
}

/** Thrown inside a job whose record says it is no longer running (cancelled, or failed by the sweep). */
class JobStoppedError extends Error {}

/**
 * Every replica proves its unfinished jobs alive by a heartbeat in their rows; a job whose
 * heartbeat is older than STALE_AFTER_MS belongs to a process that is gone (crashed, killed,
 * lost its database) and is failed by whichever replica sweeps first, at start-up and then
 * every HEARTBEAT_MS. Why not shared/ownership: its leases split keys between live replicas
 * and hand them over, whereas a job cannot be handed over (its work is in the dead process's
 * memory); all it needs is "is its process alive", which a heartbeat in its own row answers
 * with one UPDATE per replica per beat and no further table.
 */
const HEARTBEAT_MS = 5_000;
const STALE_AFTER_MS = 30_000;

const ORPHANED: JobError = {
  code: 'INTERRUPTED',
  message: 'The process running this job stopped (crash, kill or restart) before it finished; nothing was stored.',
};

const STOPPED: JobError = {
  code: 'INTERRUPTED',
  message: 'The service stopped before this job finished; nothing was stored. Start it again.',
};

/** The long jobs facility: kinds, records, progress, cancellation, crash recovery. */
@Injectable()
export class JobService
  implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly logger = new Logger(JobService.name);
  /** This process; a restart is another owner. */
  private readonly owner = randomUUID();
  private readonly kinds = new Map<string, JobKind<never>>();
  private readonly running = new Map<string, AbortController>();
  private heartbeat?: NodeJS.Timeout;
  private changes?: AsyncIterableIterator<Job>;

  constructor(
    private readonly jobs: JobsRepository,
    private readonly transactions: Transactions,
    private readonly pubsub: PubSub,
  ) {}

  register<I, R>(kind: JobKind<I, R>): void {
    if (this.kinds.has(kind.name)) throw new Error(`Job kind ${kind.name} is registered twice`);
    this.kinds.set(kind.name, kind as JobKind<never>);
  }

  onModuleInit(): void {
    // A cancel on another replica reaches the replica running the job through its event.
    this.changes = this.pubsub.subscribe<Job>(JOB_CHANGED);
    void this.followCancels(this.changes);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.sweep();
    this.heartbeat = setInterval(() => void this.beat(), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** An orderly stop fails this process's unfinished jobs at once, rather than after the heartbeat's timeout. */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.heartbeat);
    for (const controller of this.running.values()) controller.abort();
    try {
      for (const job of await this.jobs.failOwned(this.owner, STOPPED)) await this.publish(job);
    } catch (err) {
      // The database is gone: the sweep of another replica, or of the next start, fails them.
      this.logger.warn({ err }, 'Could not mark the unfinished jobs of a stopping service');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.changes?.return?.();
  }

  /** Records the job and runs it in the background; answers the QUEUED record at once. */
  async start<I>(kindName: string, input: I, user: Principal): Promise<Job> {
    const kind = this.kinds.get(kindName);
    if (!kind) throw new NotFoundError('Job kind', kindName);
    if (!user.permissions.has(kind.permission))
      throw new ForbiddenError(`Permission ${kind.permission} is required`, { permission: kind.permission });
    const job = await this.jobs.create({
      kind: kind.name,
      permission: kind.permission,
      createdBy: user.id,
      owner: this.owner,
    });
    const controller = new AbortController();
    this.running.set(job.id, controller);
    await this.publish(job);
    setImmediate(() => void this.execute(job.id, kind, input, controller));
    return job;
  }

  async get(id: string, user: Principal): Promise<Job> {
    const job = isUuid(id) ? await this.jobs.find(id) : undefined;
    // Another's job is "not found": its existence is nobody else's business.
    if (!job || !canRead(job, user)) throw new NotFoundError('Job', id);
    return job;
  }

  list(
    filter: { kind?: string | null; state?: JobState | null },
    page: { offset: number; limit: number },
    user: Principal,
  ): Promise<PageResult<Job>> {
    const admin = user.roles.includes(ADMIN_ROLE);
    return this.jobs.list(
      { ...filter, permissions: [...user.permissions], createdBy: admin ? undefined : user.id },
      page,
    );
  }

  /** Cancels a queued or running job; a finished one is a CONFLICT. Its writes, if not committed yet, never happen. */
  async cancel(id: string, user: Principal): Promise<Job> {
    const job = await this.get(id, user);
    // Waits for a commit in progress (it holds the row): then the job has finished.
    const cancelled = isFinished(job.state) ? undefined : await this.jobs.cancel(id);
    if (!cancelled) throw new ConflictError(`Job ${id} has finished already`, { id, state: job.state });
    this.running.get(id)?.abort();
    await this.publish(cancelled);
    return cancelled;
  }

  /**
   * The job now, then each change, ending with its final state. Listens before it reads, and
   * reads again whenever a quiet minute passes, so a change published meanwhile is never lost.
   */
  async *follow(id: string, user: Principal): AsyncGenerator<Job> {
    await this.get(id, user);
    const events = this.pubsub.subscribe<Job>(JOB_CHANGED);
    try {
      let next = events.next();
      let job = await this.get(id, user);
      yield job;
      while (!isFinished(job.state)) {
        let timer: NodeJS.Timeout | undefined;
        const quiet = new Promise<'quiet'>((resolve) => (timer = setTimeout(resolve, HEARTBEAT_MS * 2, 'quiet')));
        const outcome = await Promise.race([next, quiet]).finally(() => clearTimeout(timer));
        if (outcome === 'quiet') {
          const now = await this.get(id, user);
          if (now.state === job.state && now.percent === job.percent && now.message === job.message) continue;
          job = now;
        } else {
          if (outcome.done) return;
          next = events.next();
          const event = outcome.value;
          if (event.id !== id || !newer(event, job)) continue;
          job = event;
        }
        yield job;
      }
    } finally {
      await events.return?.();
    }
  }

  private async execute(id: string, kind: JobKind<never>, input: unknown, controller: AbortController): Promise<void> {
    const progress = new ProgressWriter(
      id,
      this.jobs,
      (job) => this.publish(job),
      () => controller.abort(),
    );
    try {
      const started = await this.jobs.start(id);
      if (!started) return;
      progress.startedAs(started);
      await this.publish(started);
      let committed = false;
      const context: JobContext = {
        id,
        signal: controller.signal,
        progress: (fraction, message) => progress.report(fraction, message),
        commit: async (work) => {
          if (committed) throw new Error(`Job ${kind.name} committed twice`);
          committed = true;
          await progress.settle();
          progress.publishOnly();
          return this.commit(id, controller, work);
        },
      };
      const result = await kind.run(input as never, context);
      if (!committed) {
        await progress.settle();
        await this.commit(id, controller, async () => result);
      }
    } catch (error) {
      await progress.settle();
      await this.failed(id, kind, error, controller.signal.aborted);
    } finally {
      this.running.delete(id);
    }
  }

  private async commit<R>(id: string, controller: AbortController, work: () => Promise<R>): Promise<R> {
    let done: Job | undefined;
    const result = await this.transactions.run(async () => {
      if (controller.signal.aborted || !(await this.jobs.lockRunning(id))) throw new JobStoppedError();
      const value = await work();
      done = await this.jobs.succeed(id, value);
      return value;
    });
    if (done) await this.publish(done);
    return result;
  }

  private async failed(id: string, kind: JobKind<never>, error: unknown, aborted: boolean): Promise<void> {
    // Cancelled (or failed by the sweep): its record says so already.
    if (aborted || error instanceof JobStoppedError) return;
    const reason: JobError =
      error instanceof DomainError
        ? { code: error.code, message: error.message }
        : { code: 'INTERNAL_SERVER_ERROR', message: 'The job failed unexpectedly; nothing was stored.' };
    if (!(error instanceof DomainError)) this.logger.error({ err: error, job: id, kind: kind.name }, 'A job failed');
    try {
      const failed = await this.jobs.fail(id, reason);
      if (failed) await this.publish(failed);
    } catch (err) {
      // The database is gone: the job stays RUNNING until a sweep fails it as interrupted.
      this.logger.error({ err, job: id }, 'Recording a failed job failed');
    }
  }

  private async beat(): Promise<void> {
    try {
      await this.jobs.heartbeat(this.owner);
      await this.sweep();
      // A cancel on another replica whose event did not arrive (no Redis) is seen here at the latest.
      const unfinished = new Set(await this.jobs.unfinished([...this.running.keys()]));
      for (const [id, controller] of this.running) if (!unfinished.has(id)) controller.abort();
    } catch (err) {
      this.logger.warn({ err }, 'Job heartbeat failed');
    }
  }

  private async sweep(): Promise<void> {
    for (const job of await this.jobs.failOrphans(STALE_AFTER_MS, ORPHANED)) {
      this.logger.warn({ job: job.id, kind: job.kind }, 'A job of a stopped process was marked FAILED');
      await this.publish(job);
    }
  }

  private async followCancels(changes: AsyncIterableIterator<Job>): Promise<void> {
    try {
      for await (const job of changes) if (job.state === 'CANCELLED') this.running.get(job.id)?.abort();
    } catch (err) {
      this.logger.error({ err }, 'Following job cancellations stopped');
    }
  }

  private publish(job: Job): Promise<void> {
    return this.pubsub.publish(JOB_CHANGED, job);
  }
}

/** Events may cross replicas out of order: a finished state wins, then the higher percent. */
function newer(event: Job, than: Job): boolean {
  if (isFinished(than.state)) return false;
  if (isFinished(event.state)) return true;
  if (than.state === 'QUEUED') return true;
  return event.state === 'RUNNING' && (event.percent > than.percent || event.message !== than.message);
}

/**
 * Stores and publishes a job's progress: only steps of at least 1 % (or a new message), one
 * write at a time, the newest one winning. A write that finds the job no longer running
 * (cancelled on another replica, or swept) stops it. While the job commits, its row is locked
 * by the commit's transaction: progress is then published only, and the outcome stored.
 */
class ProgressWriter {
  private job?: Job;
  private written = { percent: 0, message: '' };
  private wanted?: { percent: number; message: string };
  private writing: Promise<void> = Promise.resolve();
  private active = false;
  private committing = false;

  constructor(
    private readonly id: string,
    private readonly jobs: JobsRepository,
    private readonly publish: (job: Job) => Promise<void>,
    private readonly stop: () => void,
  ) {}

  startedAs(job: Job): void {
    this.job = job;
  }

  publishOnly(): void {
    this.committing = true;
  }

  report(fraction: number, message?: string): void {
    const percent = percentOf(fraction);
    const text = shortMessage(message ?? this.wanted?.message ?? this.written.message);
    const last = this.wanted ?? this.written;
    if (Math.abs(percent - last.percent) < 1 && text === last.message) return;
    if (this.committing && this.job) {
      this.written = { percent, message: text };
      void this.publish({ ...this.job, percent, message: text }).catch(() => undefined);
      return;
    }
    this.wanted = { percent, message: text };
    if (!this.active) this.writing = this.drain();
  }

  /** Resolves once every wanted progress is written. */
  settle(): Promise<void> {
    return this.writing;
  }

  private async drain(): Promise<void> {
    this.active = true;
    try {
      while (this.wanted) {
        const wanted = this.wanted;
        this.wanted = undefined;
        const job = await this.jobs.progress(this.id, wanted.percent, wanted.message);
        this.written = wanted;
        if (!job) return this.stop();
        this.job = job;
        await this.publish(job);
      }
    } catch {
      // Progress is advisory: a lost write is overtaken by the next one or by the outcome.
    } finally {
      this.active = false;
    }
  }
}
