package dev.lrfinder.rangetest;

/**
 * Asks a running range test to stop, from any thread. The engine checks it before every step:
 * a cancelled run ends its current optimizer with {@link StopReason#CANCELLED}, starts no
 * further optimizer and restores the model, as after a normal end. A token only ever goes from
 * not cancelled to cancelled; use a fresh one per run.
 */
public final class CancellationToken {
  private volatile boolean cancelled;

  /** Asks the run to stop before its next step; calling it again does nothing. */
  public void cancel() {
    cancelled = true;
  }

  public boolean isCancelled() {
    return cancelled;
  }
}
