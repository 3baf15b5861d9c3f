import type { Permission } from '../auth/permissions.js';
import type { Principal } from '../auth/principal.js';

export const JOB_STATES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** States a job never leaves. */
export const FINISHED_STATES: readonly JobState[] = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

export function isFinished(state: JobState): boolean {
  return FINISHED_STATES.includes(state);
}

/** The role that reads every job (identity's ADMIN_ROLE; the shared kernel names it, it cannot import it). */
export const ADMIN_ROLE = 'admin';

/** Why a job failed: a code from shared/errors (BAD_USER_INPUT, NOT_FOUND…) or INTERNAL, and a sentence. */
export interface JobError {
  code: string;
  message: string;
}

/** A job as stored (migration Jobs) and as its readers see it. */
export interface Job {
  id: string;
  kind: string;
  /** Needed to read, follow or cancel it: its kind's permission when it was started. */
  permission: Permission;
  state: JobState;
  /** 0 to 100. */
  percent: number;
  /** What it is doing, in a few words ("parsing", "storing 50,000 readings"). */
  message: string;
  result: unknown;
  error: JobError | null;
  createdBy: string;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** Progress events (and the final state) of a job, on JOB_CHANGED: the whole record, so a reader needs no lookup. */
export const JOB_CHANGED = 'jobs.jobChanged';

/**
 * Who may read (and cancel) a job: whoever holds its permission and started it; an admin
 * every job. A user who lost the permission no longer sees their own jobs.
 */
export function canRead(job: Pick<Job, 'permission' | 'createdBy'>, user: Principal): boolean {
  if (!user.permissions.has(job.permission)) return false;
  return job.createdBy === user.id || user.roles.includes(ADMIN_ROLE);
}

/** Percent of a fraction in [0, 1], kept in range and to 0.1 % (the stored and published figure). */
export function percentOf(fraction: number): number {
  const clamped = Number.isFinite(fraction) ? Math.min(Math.max(fraction, 0), 1) : 0;
  return Math.round(clamped * 1000) / 10;
}

/** Progress messages are short: longer ones are cut (the column holds 200 characters). */
export const MAX_JOB_MESSAGE = 200;

export function shortMessage(message: string): string {
  return message.length <= MAX_JOB_MESSAGE ? message : `${message.slice(0, MAX_JOB_MESSAGE - 1)}…`;
}
