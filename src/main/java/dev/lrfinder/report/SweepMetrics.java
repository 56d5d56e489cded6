package dev.lrfinder.report;

import dev.lrfinder.lab.EpochRecord;
import dev.lrfinder.lab.TrainingResult;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The final and best values of each run of a sweep, as the report's table and files give them. */
final class SweepMetrics {
  private SweepMetrics() {}

  /** A value and the epoch (1-based) it was reached after. */
  record Best(double value, int epoch) {}

  /** Every log key of the runs ({@code loss, accuracy, val_loss, val_accuracy}), in order. */
  static List<String> keys(List<TrainingResult> results) {
    Set<String> train = new LinkedHashSet<>();
    Set<String> validation = new LinkedHashSet<>();
    for (TrainingResult result : results) {
      List<String> keys = TrainingCsv.logKeys(result);
      keys.stream().filter(k -> !k.startsWith("val_")).forEach(train::add);
      keys.stream().filter(k -> k.startsWith("val_")).forEach(validation::add);
    }
    List<String> all = new ArrayList<>(train);
    all.addAll(validation);
    return all;
  }

  /**
   * Whether the runs validated: every run that trained (a run that failed on every attempt of a
   * distributed backend has no epochs to show either way), and at least one did.
   */
  static boolean validated(List<TrainingResult> results) {
    List<TrainingResult> trained = results.stream()
        .filter(r -> r.stopReason() != dev.lrfinder.lab.StopReason.FAILED).toList();
    return !trained.isEmpty() && trained.stream().allMatch(TrainingResult::validated);
  }

  /**
   * Whether a larger value of {@code key} is better: Keras's {@code mode="auto"} rule (a name
   * holding "acc" is maximized, everything else, losses included, minimized).
   */
  static boolean maximized(String key) {
    return key.contains("acc");
  }

  /** The value of {@code key} after the last complete epoch, if any. */
  static Optional<Double> last(TrainingResult result, String key) {
    return result.lastComplete().map(e -> e.logs().get(key));
  }

  /** The best finite value of {@code key} over the complete epochs, and its epoch. */
  static Optional<Best> best(TrainingResult result, String key) {
    Best best = null;
    boolean max = maximized(key);
    for (EpochRecord epoch : result.epochs()) {
      Double value = epoch.logs().get(key);
      if (!epoch.complete() || value == null || !Double.isFinite(value)) {
        continue;
      }
      if (best == null || (max ? value > best.value() : value < best.value())) {
        best = new Best(value, epoch.epoch() + 1);
      }
    }
    return Optional.ofNullable(best);
  }
}
