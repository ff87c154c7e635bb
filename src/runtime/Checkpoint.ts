/**
 * Makes what the local store has accepted survive a kill of the process. Azure Storage is
 * durable once it answers; Azurite on disk is not (it saves its databases on a timer), so the
 * local runtime asks for a checkpoint where the host makes a promise: before it answers a
 * write request, and before it deletes a handled message.
 */
export interface Checkpoint {
  /**
   * Resolves once every write that completed before the call is on disk. `urgent`: a caller
   * waits on the answer; otherwise the store may group it with later calls.
   */
  flush(urgent?: boolean): Promise<void>;
}

export interface CheckpointStats {
  /** Saves of the whole store (one per group of flush calls). */
  saves: number;
  /** Time spent saving, in milliseconds (serializing blocks the event loop; writing does not). */
  totalMs: number;
  /** Longest single save, in milliseconds. */
  maxMs: number;
}
