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
  DIVERGED
}
