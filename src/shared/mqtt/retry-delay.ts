const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5_000;

/**
 * How long to wait before retry number `retry` (0 for the first) of a message whose handler
 * failed for a transient reason (the database down): doubling from 100 ms up to 5 s.
 */
export function retryDelayMs(retry: number): number {
  return Math.min(RETRY_MIN_MS * 2 ** retry, RETRY_MAX_MS);
}
