import { readFileSync, readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * Lowers the scheduling priority of the calling thread only (Linux), so that a worker thread
 * busy with a long job yields the CPU to the event loop, PostgreSQL and the broker whenever
 * they want it: board replies and ingestion acknowledgements then do not wait behind a
 * baseline job on a machine with few cores, and the job still gets every idle cycle.
 *
 * Linux schedules threads, each with its own nice value: setpriority() given a thread id
 * changes that thread alone. Node has no API for a thread's id; /proc/thread-self names it.
 * Elsewhere (no /proc) nothing changes. Raising one's own nice value needs no privilege.
 * Returns the thread's nice value after the change, or null where it could not be changed.
 */
export function lowerThreadPriority(nice: number): number | null {
  if (nice <= 0) return null;
  let threadId: number;
  try {
    // "<pid>/task/<tid>"
    threadId = Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return null;
  }
  if (!Number.isInteger(threadId) || threadId <= 0) return null;
  const target = Math.min(19, nice);
  // Never raise a priority (a service started under `nice` keeps its threads at least as low).
  const current = threadNice();
  if (current !== null && current >= target) return current;
  try {
    setPriority(threadId, target);
    return target;
  } catch {
    return null;
  }
}

/** The calling thread's nice value as the kernel reports it (Linux), for tests and diagnostics. */
export function threadNice(): number | null {
  try {
    const [, , tid] = readlinkSync('/proc/thread-self').split('/');
    const fields = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: count from the closing parenthesis. nice is field 19.
    const rest = fields.slice(fields.lastIndexOf(')') + 2).split(' ');
    return Number(rest[19 - 3]);
  } catch {
    return null;
  }
}
