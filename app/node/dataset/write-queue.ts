// One writer at a time. Every change to a dataset reads the folder and the in-memory index
// (the next free `<n>`, a free trash name), writes files and then the manifest; two such
// changes interleaved at their awaits pick the same name and overwrite each other's
// recordings. A dataset's mutations therefore run one after another, in call order, on one
// queue: a failed task does not stop the ones behind it. A task must not queue another and
// wait for it (it would be waiting for itself): inside a task, call the unqueued internals.

export class WriteQueue {
  private tail: Promise<unknown> = Promise.resolve();

  /** Run `task` after every task queued before it has settled. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Settles when every task queued so far has. */
  drained(): Promise<void> {
    return this.run(async () => undefined);
  }
}
