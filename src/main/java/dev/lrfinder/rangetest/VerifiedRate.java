package dev.lrfinder.rangetest;

import java.util.List;

/**
 * What training {@code steps} steps at one suggested rate gave, and where that puts the rate.
 *
 * @param rules the rules that suggested this rate
 * @param learningRate the constant rate every step trained at
 * @param stepsRun steps actually run (fewer than planned when the training loss turned NaN or
 *     infinite, a listener stopped the run, or it was cancelled)
 * @param finalTrainLoss the training loss of the last step run
 * @param heldOutLoss the held-out loss after the last step (NaN when not measured)
 * @param diverged the training or held-out loss turned NaN or infinite, or the held-out loss
 *     ended above the start state's: ranked after every run that did not diverge
 * @param rank 1 for the best; runs that did not diverge by held-out loss, then the diverged ones
 * @param recommended whether this is the recommendation: rank 1 and not diverged
 * @param stopReason {@link StopReason#END_OF_RANGE} when every planned step ran
 */
public record VerifiedRate(List<String> rules, double learningRate, int stepsRun,
    double finalTrainLoss, double heldOutLoss, boolean diverged, int rank, boolean recommended,
    StopReason stopReason) {
  public VerifiedRate {
    rules = List.copyOf(rules);
  }

  /** The rules joined by {@code " = "}, e.g. {@code steep = minimum}. */
  public String ruleNames() {
    return String.join(" = ", rules);
  }
}
