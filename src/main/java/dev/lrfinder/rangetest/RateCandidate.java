package dev.lrfinder.rangetest;

import java.util.List;

/**
 * One learning rate to verify by training, with the rules that suggested it (several rules whose
 * suggestions agree within a tiny relative tolerance share one candidate).
 *
 * @param learningRate the rate, positive and finite
 * @param rules the names of the rules that suggested it, in rule order, at least one
 */
public record RateCandidate(double learningRate, List<String> rules) {
  public RateCandidate {
    if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
      throw new IllegalArgumentException("a candidate rate must be positive and finite, got "
          + learningRate);
    }
    rules = List.copyOf(rules);
    if (rules.isEmpty()) {
      throw new IllegalArgumentException("a candidate rate needs the rule that suggested it");
    }
  }
}
