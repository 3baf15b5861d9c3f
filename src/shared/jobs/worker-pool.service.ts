import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Worker } from 'node:worker_threads';
import { AppConfig } from '../../config/app-config.js';
import { DomainError, type ErrorCode } from '../errors/domain-errors.js';
import { runsFromSources, sourceWorkerExecArgv } from './source-workers.js';
import type { TaskFailure, TaskRequest, WorkerReply } from './worker-tasks.js';

/** A task for the pool: the exported function `fn` of `module`, called as fn(...args, onProgress). */
export interface WorkerTask {
  /** `new URL('../domain/matrix-profile.js', import.meta.url)`: resolved beside the caller, in dist/ or the sources. */
  module: URL;
  fn: string;
  args: unknown[];
  /** Buffers of typed arrays among the args, moved to the worker rather than copied (unusable here after). */
  transfer?: ArrayBuffer[];
  /** Fractions in [0, 1], in steps of at least 1 %, and the task's own few words when it gives them. */
  onProgress?: (fraction: number, message?: string) => void;
  /** Aborting ends the task at once: its thread is stopped and replaced. */
  signal?: AbortSignal;
  /**
   * A long job's computation that nobody waits for interactively: paced to JOB_CPU_PERCENT of
   * a core at its progress reports. Unset: it runs flat out (a query's).
   */
  background?: boolean;
}

/** A DomainError thrown by a task in its worker, with the same code and details here. */
export class WorkerTaskError extends DomainError {
  constructor(
    readonly code: ErrorCode,
    message: string,
    details: Record<string, unknown>,
  ) {
    super(message, details);
  }
}

/** The task was aborted (its job cancelled) before it finished. */
export class TaskAbortedError extends Error {
  constructor() {
    super('The task was cancelled');
  }
}

interface Pending {
  task: WorkerTask;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

interface Thread {
  worker: Worker;
  current?: Pending;
}

/**
 * A small pool of worker threads (JOB_WORKERS, default 1) for heavy computation (batch matrix
 * profiles, CSV parsing, baseline cleaning), so that ingestion acknowledgements, board replies
 * and subscriptions never wait for it on the event loop. Threads start on first use; tasks
 * beyond the pool's size wait in order. A thread that crashes, or whose task is aborted, is
 * replaced. The threads run at a lower scheduling priority (JOB_WORKER_NICE), and a background
 * task's computation is paced to a share of a core (JOB_CPU_PERCENT): a job takes the idle CPU,
 * not the event loop's. Works from dist/ as from the TypeScript sources (source-workers.ts).
 */
@Injectable()
export class WorkerPool implements OnApplicationShutdown {
  private readonly logger = new Logger(WorkerPool.name);
  private readonly threads = new Set<Thread>();
  private readonly queue: Pending[] = [];
  private readonly entry: URL;
  private readonly execArgv: string[] | undefined;
  private closed = false;

  constructor(config: AppConfig) {
    this.size = config.JOB_WORKERS;
    this.nice = config.JOB_WORKER_NICE ?? 0;
    this.backgroundShare = (config.JOB_CPU_PERCENT ?? 100) / 100;
    const fromSources = runsFromSources(import.meta.url);
    this.entry = new URL(fromSources ? './job-worker.ts' : './job-worker.js', import.meta.url);
    this.execArgv = fromSources ? sourceWorkerExecArgv() : undefined;
  }

  readonly size: number;
  /** The threads' nice value (Linux): they yield the CPU to the event loop (thread-priority.ts). */
  private readonly nice: number;
  /** The share of a core a background task may take (JOB_CPU_PERCENT). */
  private readonly backgroundShare: number;

  run<T>(task: WorkerTask): Promise<T> {
    if (this.closed) return Promise.reject(new Error('The worker pool is shut down'));
    if (task.signal?.aborted) return Promise.reject(new TaskAbortedError());
    return new Promise<T>((resolve, reject) => {
      const pending: Pending = { task, resolve: resolve as (value: unknown) => void, reject };
      task.signal?.addEventListener('abort', () => this.abort(pending), { once: true });
      this.queue.push(pending);
      this.dispatch();
    });
  }

  /** Tasks running and waiting (for metrics and tests). */
  load(): { running: number; queued: number } {
    return { running: [...this.threads].filter((t) => t.current).length, queued: this.queue.length };
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    for (const pending of this.queue.splice(0)) pending.reject(new Error('The service is shutting down'));
    await Promise.all(
      [...this.threads].map((thread) => {
        thread.current?.reject(new Error('The service is shutting down'));
        thread.current = undefined;
        return thread.worker.terminate();
      }),
    );
    this.threads.clear();
  }

  private dispatch(): void {
    while (this.queue.length) {
      const thread = this.idleThread();
      if (!thread) return;
      const pending = this.queue.shift()!;
      thread.current = pending;
      // A thread with a task keeps the process alive until it answers; an idle one does not.
      thread.worker.ref();
      const { module, fn, args, transfer, background } = pending.task;
      const request: TaskRequest = { module: module.href, fn, args, cpuShare: background ? this.backgroundShare : 1 };
      try {
        thread.worker.postMessage(request, transfer ?? []);
      } catch (error) {
        thread.current = undefined;
        pending.reject(error);
      }
    }
  }

  private idleThread(): Thread | undefined {
    for (const thread of this.threads) if (!thread.current) return thread;
    if (this.threads.size >= this.size) return undefined;
    const worker = new Worker(this.entry, { execArgv: this.execArgv, workerData: { nice: this.nice } });
    const thread: Thread = { worker };
    this.threads.add(thread);
    worker.on('message', (reply: WorkerReply) => this.onReply(thread, reply));
    worker.on('error', (error) => this.lose(thread, error));
    worker.on('exit', (code) => this.lose(thread, new Error(`A worker thread exited (code ${code})`)));
    return thread;
  }

  private onReply(thread: Thread, reply: WorkerReply): void {
    const pending = thread.current;
    if (!pending) return;
    if (reply.type === 'progress') {
      pending.task.onProgress?.(reply.fraction, reply.message);
      return;
    }
    thread.current = undefined;
    thread.worker.unref();
    if (reply.type === 'done') pending.resolve(reply.value);
    else pending.reject(errorOf(reply.error));
    this.dispatch();
  }

  /** A thread that died (a crash, or terminate() after an abort): its task fails, others go on. */
  private lose(thread: Thread, error: Error): void {
    if (!this.threads.delete(thread)) return;
    if (thread.current) {
      this.logger.error({ err: error }, 'A worker thread stopped during a task');
      thread.current.reject(error);
    }
    thread.current = undefined;
    if (!this.closed) this.dispatch();
  }

  private abort(pending: Pending): void {
    const index = this.queue.indexOf(pending);
    if (index >= 0) {
      this.queue.splice(index, 1);
      pending.reject(new TaskAbortedError());
      return;
    }
    for (const thread of this.threads) {
      if (thread.current !== pending) continue;
      thread.current = undefined;
      this.threads.delete(thread);
      pending.reject(new TaskAbortedError());
      void thread.worker.terminate();
      this.dispatch();
    }
  }
}

function errorOf(failure: TaskFailure): Error {
  if (failure.code) return new WorkerTaskError(failure.code as ErrorCode, failure.message, failure.details ?? {});
  const error = new Error(failure.message);
  error.name = failure.name;
  if (failure.stack) error.stack = failure.stack;
  return error;
}
