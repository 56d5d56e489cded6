package dev.lrfinder.rangetest;

import java.util.List;
import java.util.Optional;

/**
 * One optimizer's verified rates, best first.
 *
 * @param startHeldOutLoss the held-out loss of the start state, before any step: a run that ends
 *     above it diverged
 * @param ranked every candidate's result, by rank
 */
public record OptimizerVerification(String optimizer, double startHeldOutLoss,
    List<VerifiedRate> ranked) {
  public OptimizerVerification {
    ranked = List.copyOf(ranked);
  }

  /** The recommended rate's run: the best held-out loss among runs that did not diverge. */
  public Optional<VerifiedRate> recommendation() {
    return ranked.stream().filter(VerifiedRate::recommended).findFirst();
  }
}
