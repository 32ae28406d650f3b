import { randomBytes } from 'node:crypto';
import type { ApplyProgress, BatchResult, DashboardSource } from './dashboard-source.js';

/** The end of a job: its result, or a short secret-free error when the batch could not run. */
export interface JobComplete {
  done: number;
  total: number;
  result?: BatchResult;
  error?: string;
}

export type JobEvent = { type: 'progress'; data: ApplyProgress } | { type: 'complete'; data: JobComplete };

/** Receives a job's events: first those already past (replay), then live ones. */
export type JobListener = (event: JobEvent) => void;

interface Job {
  events: JobEvent[];
  listeners: Set<JobListener>;
  finished: boolean;
}

/** Apply batches running in the background, followed over server-sent events by their id. */
export interface ApplyJobs {
  /** Starts a batch; `busy` while another is still running (the controller writes one at a time). */
  start(emails: string[]): { jobId: string } | { busy: true };
  has(jobId: string): boolean;
  /** Replays the job's events to `listener` and keeps it subscribed; undefined for an unknown id. */
  follow(jobId: string, listener: JobListener): (() => void) | undefined;
}

export interface ApplyJobsOptions {
  source: Pick<DashboardSource, 'applyEmployees'>;
  /** Finished jobs kept for late followers (default 50); the oldest are dropped first. */
  keep?: number;
  onError?: (error: unknown) => void;
}

/**
 * Job ids are 128 random bits: the event stream needs no token because only whoever started the
 * job (with the token) learns its id, and progress holds only emails and outcomes.
 */
export function createApplyJobs(options: ApplyJobsOptions): ApplyJobs {
  const jobs = new Map<string, Job>();
  const keep = options.keep ?? 50;
  let running = false;

  function emit(job: Job, event: JobEvent): void {
    job.events.push(event);
    for (const listener of job.listeners) listener(event);
    if (event.type === 'complete') {
      job.finished = true;
      job.listeners.clear();
    }
  }

  function prune(): void {
    const finished = [...jobs].filter(([, job]) => job.finished);
    for (const [id] of finished.slice(0, Math.max(0, finished.length - keep))) jobs.delete(id);
  }

  return {
    start(emails) {
      if (running) return { busy: true };
      running = true;
      const jobId = randomBytes(16).toString('hex');
      const job: Job = { events: [], listeners: new Set(), finished: false };
      jobs.set(jobId, job);
      let done = 0;
      const total = emails.length;
      void options.source
        .applyEmployees(emails, (progress) => {
          done = progress.done;
          emit(job, { type: 'progress', data: progress });
        })
        .then(
          (result) => emit(job, { type: 'complete', data: { done: result.total, total, result } }),
          (error: unknown) => {
            options.onError?.(error);
            emit(job, {
              type: 'complete',
              data: { done, total, error: 'the apply could not run; see the controller log' },
            });
          },
        )
        .finally(() => {
          running = false;
          prune();
        });
      return { jobId };
    },
    has: (jobId) => jobs.has(jobId),
    follow(jobId, listener) {
      const job = jobs.get(jobId);
      if (!job) return undefined;
      for (const event of job.events) listener(event);
      if (job.finished) return () => {};
      job.listeners.add(listener);
      return () => job.listeners.delete(listener);
    },
  };
}
