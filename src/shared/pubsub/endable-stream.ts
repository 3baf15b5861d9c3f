/**
 * A subscription's event stream that its service can end from outside with an error, e.g.
 * when the user loses what the subscription shows (an experiment they were unassigned from):
 * the pending read fails with the error (graphql-ws then sends it and completes the
 * operation) and the source is released at once. Ending is idempotent; a client's own
 * unsubscribe (return) releases the source too. `onEnd` runs once, however it ends.
 */
export class EndableStream<T> implements AsyncIterableIterator<T> {
  private failure?: { error: unknown };
  private failWaiting?: (error: unknown) => void;
  private ended = false;

  constructor(
    private readonly source: AsyncIterator<T>,
    private readonly onEnd: () => void = () => undefined,
  ) {}

  get isEnded(): boolean {
    return this.ended;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.failure) return Promise.reject(this.failure.error);
    return new Promise((resolve, reject) => {
      this.failWaiting = reject;
      this.source.next().then(resolve, reject);
    });
  }

  async return(): Promise<IteratorResult<T>> {
    if (!this.finish()) return { value: undefined, done: true };
    return (await this.source.return?.()) ?? { value: undefined, done: true };
  }

  async throw(error: unknown): Promise<IteratorResult<T>> {
    await this.return();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Ends the stream with `error`: the reader gets it instead of the next event. */
  end(error: unknown): void {
    if (!this.finish()) return;
    this.failure = { error };
    this.failWaiting?.(error);
    this.source.return?.().catch(() => undefined);
  }

  private finish(): boolean {
    if (this.ended) return false;
    this.ended = true;
    this.onEnd();
    return true;
  }
}
