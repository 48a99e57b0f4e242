/**
 * Caffe2's workspace calls are synchronous; ours return promises. So that a caller who does not
 * await still gets Caffe2's meaning, every workspace call goes through this queue and starts only
 * after the previous one has settled: calls take effect in the order they were made.
 */
export class CallQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;

  /** True while a call is queued or running. */
  get busy(): boolean {
    return this.pending > 0;
  }

  /** Runs `job` after every call made before it; a failed call does not stop later ones. */
  enqueue<T>(job: () => T | Promise<T>): Promise<T> {
    this.pending++;
    const run = this.tail.then(job);
    this.tail = run.then(
      () => this.pending--,
      () => this.pending--,
    );
    return run;
  }

  /**
   * For calls with a synchronous result: runs `job` now when nothing is queued (the result is then
   * exact), else queues it behind the pending calls. `job` must not throw (validate before).
   */
  runOrEnqueue(job: () => void): void {
    if (!this.busy) job();
    else void this.enqueue(job);
  }

  /** Resolves once every call made so far has settled. */
  drain(): Promise<void> {
    return this.tail.then(() => undefined);
  }
}
