package dev.lrfinder.lab;

/** Why a training run ended. */
public enum StopReason {
  /** Every epoch of the config ran. */
  EPOCHS_DONE,
  /** An {@link dev.lrfinder.schedule.EpochRule} (early stopping) asked to stop. */
  EARLY_STOPPING,
  /** The run's cancellation token was cancelled. */
  CANCELLED,
  /** The training thread was interrupted (Ctrl-C in the CLI). */
  INTERRUPTED,
  /** A training step's loss was NaN or infinite (Keras's {@code TerminateOnNaN}). */
  DIVERGED,
  /**
   * The run failed with an error on every attempt a distributed backend allowed it (the Spark
   * module's retries, docs/spark.md); its {@code stopDetail} holds the error. A local sweep never
   * gives it: there a failure propagates.
   */
  FAILED
}
