package dev.lrfinder.rangetest;

import java.util.List;
import java.util.Optional;

/**
 * The suggestions verified by training: per optimizer, each distinct suggested rate trained
 * {@code steps} steps from the same start state on the same batches, ranked by held-out loss.
 *
 * @param steps steps trained at each rate
 * @param heldOut where the held-out loss comes from, in words (e.g. {@code "the test split
 *     (x_test/y_test), all 1000 rows"})
 * @param heldOutRows rows of the held-out data, every one evaluated
 * @param optimizers one entry per optimizer, in the range test's order
 */
public record VerificationResult(int steps, String heldOut, long heldOutRows,
    List<OptimizerVerification> optimizers) {
  public VerificationResult {
    optimizers = List.copyOf(optimizers);
  }

  /** The verification of {@code optimizer}, if it was verified. */
  public Optional<OptimizerVerification> optimizer(String optimizer) {
    return optimizers.stream().filter(o -> o.optimizer().equals(optimizer)).findFirst();
  }

  /** Whether a run was cancelled or interrupted (the rest was not trained). */
  public boolean stoppedEarly() {
    return optimizers.stream().flatMap(o -> o.ranked().stream()).anyMatch(r ->
        r.stopReason() == StopReason.CANCELLED || r.stopReason() == StopReason.INTERRUPTED);
  }
}
