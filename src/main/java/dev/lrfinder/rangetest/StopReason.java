package dev.lrfinder.rangetest;

/** Why a range test for one optimizer ended. */
public enum StopReason {
  /** Every planned step ran: the learning rate reached the end of the range. */
  END_OF_RANGE("reached the end learning rate"),
  /**
   * The smoothed loss exceeded stop factor x the best smoothed loss so far, both counted from the
   * end of the skipped warm-up window on (no divergence stop inside it).
   */
  DIVERGED("loss exceeded stop factor x best"),
  /** The raw loss was NaN or infinite. */
  NON_FINITE_LOSS("loss became NaN or infinite"),
  /** A listener asked to stop. */
  LISTENER("stopped by a listener"),
  /** The JVM is shutting down (Ctrl-C) or the thread was interrupted. */
  INTERRUPTED("interrupted; the model was restored"),
  /** A {@link CancellationToken} was cancelled (e.g. by {@code Future.cancel}); restored. */
  CANCELLED("cancelled; the model was restored"),
  /** Training threw an exception; the model was restored all the same. */
  FAILED("failed with an error");

  private final String description;

  StopReason(String description) {
    this.description = description;
  }

  public String description() {
    return description;
  }

  /**
   * Whether the run should stop before its next step: {@link #CANCELLED} when {@code token} is
   * cancelled, {@link #INTERRUPTED} when the thread is interrupted, else empty.
   */
  public static java.util.Optional<StopReason> requested(CancellationToken token) {
    if (token.isCancelled()) {
      return java.util.Optional.of(CANCELLED);
    }
    return Thread.currentThread().isInterrupted()
        ? java.util.Optional.of(INTERRUPTED) : java.util.Optional.empty();
  }
}
