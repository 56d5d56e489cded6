package dev.lrfinder.report;

import dev.lrfinder.rangetest.OptimizerCurve;
import dev.lrfinder.rangetest.StopReason;
import dev.lrfinder.suggest.Curve;
import dev.lrfinder.suggest.CyclicalBounds;
import dev.lrfinder.suggest.LossDelta;
import dev.lrfinder.suggest.MinimumOverTen;
import dev.lrfinder.suggest.Slide;
import dev.lrfinder.suggest.SteepestDescent;
import dev.lrfinder.suggest.Suggestion;
import dev.lrfinder.suggest.Valley;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One optimizer's line of the summary: its suggestions, the lowest smoothed loss inside the skip
 * window and the learning rate there, how far it ran and why it stopped. The plain-text and the
 * HTML table both show these rows.
 */
record SummaryRow(
    String optimizer,
    List<Suggestion> suggestions,
    double minLoss,
    double minLossLr,
    int stepsRun,
    long plannedSteps,
    StopReason stopReason,
    double seconds) {

  /** The suggestion columns, in order; the cyclical bounds share one column after them. */
  static final List<String> RULE_COLUMNS = List.of(SteepestDescent.NAME, Valley.NAME,
      MinimumOverTen.NAME, Slide.NAME, LossDelta.NAME);

  SummaryRow {
    suggestions = List.copyOf(suggestions);
  }

  /** One row per optimizer, in the result's order. */
  static List<SummaryRow> of(ReportInput input) {
    List<SummaryRow> rows = new ArrayList<>();
    for (OptimizerCurve curve : input.result().curves()) {
      Curve window = input.analysis().optimizer(curve.optimizer()).window();
      int best = window.argMinLoss();
      rows.add(new SummaryRow(curve.optimizer(), input.suggestionsFor(curve.optimizer()),
          best < 0 ? Double.NaN : window.loss(best), best < 0 ? Double.NaN : window.lr(best),
          curve.stepsRun(), curve.plannedSteps(), curve.stopReason(), curve.seconds()));
    }
    return rows;
  }

  /** The suggestion of {@code rule}, if that rule ran. */
  Optional<Suggestion> suggestion(String rule) {
    return suggestions.stream().filter(s -> s.rule().equals(rule)).findFirst();
  }

  /** The suggested rate of {@code rule} as {@code 3.2e-03}, or {@code -} when there is none. */
  String lr(String rule) {
    return suggestion(rule).filter(Suggestion::found).map(s -> Format.lr(s.learningRate()))
        .orElse(Format.NONE);
  }

  /** {@code base..max} of the cyclical bounds, or {@code -} unless both were found. */
  String cyclical(String separator) {
    Optional<Suggestion> base = suggestion(CyclicalBounds.BASE).filter(Suggestion::found);
    Optional<Suggestion> max = suggestion(CyclicalBounds.MAX).filter(Suggestion::found);
    if (base.isEmpty() || max.isEmpty()) {
      return Format.NONE;
    }
    return Format.lr(base.get().learningRate()) + separator + Format.lr(max.get().learningRate());
  }

  /** {@code run/planned}, e.g. {@code 87/100}. */
  String steps() {
    return stepsRun + "/" + plannedSteps;
  }
}
