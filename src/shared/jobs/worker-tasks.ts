/** The messages between the pool (worker-pool.service.ts) and its threads (job-worker.ts). */
export interface TaskRequest {
  /** A file URL (href) of the module exporting the function. */
  module: string;
  fn: string;
  args: unknown[];
  /** The share of one core the task's computation may take (job-progress.ts `cpuSharePacer`); 1 = unpaced. */
  cpuShare: number;
}

/** An error thrown in the worker, as far as it survives the thread boundary. */
export interface TaskFailure {
  name: string;
  message: string;
  /** A DomainError's code and details: rethrown as one in the main thread. */
  code?: string;
  details?: Record<string, unknown>;
  stack?: string;
}

export type WorkerReply =
  | { type: 'progress'; fraction: number; message?: string }
  | { type: 'done'; value: unknown }
  | { type: 'failed'; error: TaskFailure };
