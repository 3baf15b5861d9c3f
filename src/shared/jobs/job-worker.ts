import { parentPort, workerData } from 'node:worker_threads';
import { DomainError } from '../errors/domain-errors.js';
import { cpuSharePacer, progressSpan, setComputationPacer } from './job-progress.js';
import { lowerThreadPriority } from './thread-priority.js';
import type { TaskFailure, TaskRequest, WorkerReply } from './worker-tasks.js';

/**
 * A worker thread of the pool (worker-pool.service.ts): runs one task at a time, the exported
 * function `fn` of `module` called as fn(...args, onProgress), and answers with its value,
 * typed arrays transferred rather than copied. Progress goes back in steps of at least 1 %.
 */
const port = parentPort!;
// Before any task: this thread yields to the event loop (JOB_WORKER_NICE, thread-priority.ts).
lowerThreadPriority((workerData as { nice?: number } | undefined)?.nice ?? 0);

port.on('message', (request: TaskRequest) => void run(request));

async function run({ module, fn, args, cpuShare }: TaskRequest): Promise<void> {
  // The task's progress reports are where it pauses to stay within its share of a core.
  setComputationPacer(cpuSharePacer(cpuShare));
  try {
    const exported = ((await import(module)) as Record<string, unknown>)[fn];
    if (typeof exported !== 'function') throw new Error(`${module} exports no function ${fn}`);
    let lastMessage: string | undefined;
    const onProgress = progressSpan((fraction) => reply({ type: 'progress', fraction, message: lastMessage }), 0, 1);
    const value: unknown = await exported(...args, (fraction: number, message?: string) => {
      lastMessage = message;
      onProgress(fraction);
    });
    reply({ type: 'done', value }, transferablesOf(value));
  } catch (error) {
    reply({ type: 'failed', error: failureOf(error) });
  }
}

function reply(message: WorkerReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

function failureOf(error: unknown): TaskFailure {
  if (error instanceof DomainError)
    return { message: error.message, code: error.code, details: error.details, name: error.name };
  const e = error instanceof Error ? error : new Error(String(error));
  return { message: e.message, name: e.name, stack: e.stack };
}

/** The buffers of the typed arrays in the value, at its top level or one level down (each once). */
function transferablesOf(value: unknown): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  const visit = (v: unknown) => {
    if (ArrayBuffer.isView(v) && v.buffer instanceof ArrayBuffer) buffers.add(v.buffer);
  };
  visit(value);
  if (value && typeof value === 'object' && !ArrayBuffer.isView(value)) for (const v of Object.values(value)) visit(v);
  return [...buffers];
}
