package dev.lrfinder.report;

import dev.lrfinder.data.DType;
import dev.lrfinder.data.Dataset;
import dev.lrfinder.data.HostArray;
import dev.lrfinder.data.NamedArray;
import dev.lrfinder.model.ModelContract;
import dev.lrfinder.model.OutputSpec;
import dev.lrfinder.rangetest.RangeTestResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Warnings when the data looks unscaled: a range test on raw house prices finds the learning
 * rates of dollars squared, which mean nothing once the data is scaled as it should be.
 *
 * <p>Thresholds, and why:
 *
 * <ul>
 *   <li>a feature column (each element position of an input's row) whose {@code |mean|} or
 *       standard deviation exceeds {@link #FEATURE_LIMIT}, 1e3: networks are initialised for
 *       inputs of about unit scale (Glorot, He), so a column at 1e3 multiplies pre-activations
 *       and its gradients a thousandfold and dominates the rest. Years (mean ~2000), square
 *       feet and prices are flagged; pixels in 0..255 are not (mean at most 255), since image
 *       models usually rescale inside;
 *   <li>for a regression loss, a starting loss above {@link #LOSS_LIMIT}, 1e4 (an RMS error of
 *       100 for a squared loss), or targets whose {@code |mean|} or standard deviation exceeds
 *       1e3: scaled targets (standardized, or in thousands) start near 1. Scale-free losses
 *       (percentage and logarithmic errors) and classification are not checked.
 * </ul>
 */
public final class DataScale {
  static final double FEATURE_LIMIT = 1e3;
  static final double LOSS_LIMIT = 1e4;
  /** Keras names of regression losses whose size follows the targets' units. */
  private static final Set<String> SCALED_LOSSES = Set.of("mse", "mean_squared_error", "mae",
      "mean_absolute_error", "huber", "huber_loss", "log_cosh", "logcosh",
      "meansquarederror", "meanabsoluteerror");

  private DataScale() {}

  /** The mean and standard deviation of one column, and where it is. */
  record Column(String array, long index, double mean, double std) {
    boolean large(double limit) {
      return Math.abs(mean) > limit || std > limit;
    }
  }

  /**
   * The warnings for the training data of a range test, one sentence each: {@code train}'s
   * inputs and labels by the names messages give them, the losses of {@code contract}'s
   * outputs, and the first loss of {@code result}'s first curve.
   */
  public static List<String> warnings(Dataset train, ModelContract contract,
      RangeTestResult result) {
    double startLoss = result.curves().isEmpty() ? Double.NaN
        : result.curves().get(0).losses().stream().findFirst().orElse(Double.NaN);
    return warnings(byName(train.inputs()), byName(train.labels()),
        contract.outputs().stream().map(OutputSpec::loss).toList(), startLoss);
  }

  private static Map<String, HostArray> byName(List<NamedArray> arrays) {
    Map<String, HostArray> named = new LinkedHashMap<>();
    arrays.forEach(a -> named.put(a.name().whole(), a.array()));
    return named;
  }

  /**
   * The warnings for this data, one sentence each (none when it looks scaled).
   *
   * @param features the model's inputs by name
   * @param targets the label arrays by name
   * @param loss the Keras name of the model's loss (of each output: any regression one counts)
   * @param startLoss the loss of the first step, or NaN
   */
  public static List<String> warnings(Map<String, HostArray> features,
      Map<String, HostArray> targets, List<String> loss, double startLoss) {
    List<String> warnings = new ArrayList<>();
    List<Column> large = new ArrayList<>();
    long columns = 0;
    for (Map.Entry<String, HostArray> entry : features.entrySet()) {
      List<Column> all = columns(entry.getKey(), entry.getValue());
      columns += all.size();
      all.stream().filter(c -> c.large(FEATURE_LIMIT)).forEach(large::add);
    }
    if (!large.isEmpty()) {
      Column worst = large.stream().max(java.util.Comparator.comparingDouble(
          c -> Math.max(Math.abs(c.mean()), c.std()))).orElseThrow();
      warnings.add(String.format(Locale.ROOT, "the features look unscaled: %d of %d columns have"
          + " |mean| or std above %s (column %d of %s: mean %s, std %s); standardize them"
          + " ((x - mean) / std, or a Normalization layer) and run the range test again, since"
          + " the rates found now only fit these units", large.size(), columns,
          Format.compact(FEATURE_LIMIT), worst.index(), worst.array(),
          Format.compact(worst.mean()), Format.compact(worst.std())));
    }
    boolean regression = loss.stream().anyMatch(l -> SCALED_LOSSES.contains(
        l.toLowerCase(Locale.ROOT)));
    if (regression) {
      List<Column> targetColumns = new ArrayList<>();
      targets.forEach((name, array) -> targetColumns.addAll(columns(name, array)));
      Column worst = targetColumns.stream().filter(c -> c.large(FEATURE_LIMIT)).findFirst()
          .orElse(null);
      if (startLoss > LOSS_LIMIT || worst != null) {
        warnings.add("the regression targets look unscaled: "
            + (startLoss > LOSS_LIMIT ? "the loss starts at " + Format.compact(startLoss) : "")
            + (startLoss > LOSS_LIMIT && worst != null ? " and " : "")
            + (worst == null ? "" : worst.array() + " has mean " + Format.compact(worst.mean())
                + ", std " + Format.compact(worst.std()))
            + "; scale them (e.g. divide by their std, or use thousands) and run the range test"
            + " again, since the rates found now only fit these units");
      }
    }
    return List.copyOf(warnings);
  }

  /**
   * The mean and std of every element position of a row (Welford's one-pass update, so large
   * values lose no precision); strings and booleans have none.
   */
  static List<Column> columns(String name, HostArray array) {
    if (array.dtype() == DType.BOOL || array.dtype().byteSize() == 0 || array.rows() == 0) {
      return List.of();
    }
    long rows = array.rows();
    int width = Math.toIntExact(array.elementCount() / rows);
    double[] mean = new double[width];
    double[] m2 = new double[width];
    long[] seen = {0};
    // firstIndexWhere is HostArray's one fast pass over every element in C order; the test
    // never holds, so it visits them all and this updates the column of each.
    array.firstIndexWhere(value -> {
      long i = seen[0]++;
      int c = (int) (i % width);
      long count = i / width + 1;
      double delta = value - mean[c];
      mean[c] += delta / count;
      m2[c] += delta * (value - mean[c]);
      return false;
    });
    List<Column> columns = new ArrayList<>(width);
    for (int c = 0; c < width; c++) {
      columns.add(new Column(name, c, mean[c], Math.sqrt(m2[c] / rows)));
    }
    return columns;
  }
}
