package dev.lrfinder.report;

import dev.lrfinder.model.ModelContract;
import dev.lrfinder.rangetest.OptimizerCurve;
import dev.lrfinder.rangetest.RangeTestConfig;
import dev.lrfinder.rangetest.RangeTestResult;
import dev.lrfinder.suggest.Curve;
import dev.lrfinder.suggest.Descent;
import dev.lrfinder.suggest.Suggestion;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything a range-test report shows: the model, the data, the result, the suggestions per
 * optimizer (in the result's optimizer order) and where and when it ran.
 *
 * @param trainingPath how the model was trained ({@code TrainableModel#trainingPath}), e.g.
 *     {@code "direct: trainable, ..."}
 * @param command the command line that produced it, for the record (may be empty)
 * @param warnings sentences about the data or model the reader should see first, e.g. that the
 *     features look unscaled
 */
public record ReportInput(
    Path modelDir,
    Path dataFile,
    ModelContract contract,
    String trainingPath,
    RangeTestResult result,
    Map<String, List<Suggestion>> suggestions,
    String tensorflowVersion,
    String javaVersion,
    Instant createdAt,
    String command,
    List<String> warnings) {

  /** Names Keras gives a model nobody named ({@code sequential}, {@code model_3}, ...). */
  private static final java.util.regex.Pattern KERAS_DEFAULT_NAME = java.util.regex.Pattern
      .compile("(sequential|model|functional)(_\\d+)?");

  public ReportInput {
    Map<String, List<Suggestion>> copy = new LinkedHashMap<>();
    suggestions.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    suggestions = java.util.Collections.unmodifiableMap(copy);
    warnings = List.copyOf(warnings);
  }

  /** A report without warnings about the data. */
  public ReportInput(Path modelDir, Path dataFile, ModelContract contract, String trainingPath,
      RangeTestResult result, Map<String, List<Suggestion>> suggestions, String tensorflowVersion,
      String javaVersion, Instant createdAt, String command) {
    this(modelDir, dataFile, contract, trainingPath, result, suggestions, tensorflowVersion,
        javaVersion, createdAt, command, List.of());
  }

  /** This input with {@code warnings} (one sentence each) shown at the top of the report. */
  public ReportInput withWarnings(List<String> warnings) {
    return new ReportInput(modelDir, dataFile, contract, trainingPath, result, suggestions,
        tensorflowVersion, javaVersion, createdAt, command, warnings);
  }

  /** The name the report's titles use: see {@link #displayName(Path, ModelContract)}. */
  public String modelName() {
    return displayName(modelDir, contract);
  }

  /**
   * The model as the user knows it: the name given at export ({@code --name}) or in Keras when
   * it is not a default one; otherwise the model directory's name (with its parent for a
   * numbered TF Serving version directory such as {@code house_prices/1}), or the file it was
   * exported from without its extension.
   */
  public static String displayName(Path modelDir, ModelContract contract) {
    String name = contract.modelName();
    if (name != null && !name.isBlank() && !KERAS_DEFAULT_NAME.matcher(name).matches()) {
      return name;
    }
    Path dir = modelDir == null ? null : modelDir.toAbsolutePath().normalize();
    if (dir != null && dir.getFileName() != null) {
      String last = dir.getFileName().toString();
      Path parent = dir.getParent();
      if (last.matches("\\d+") && parent != null && parent.getFileName() != null) {
        return parent.getFileName() + "/" + last;
      }
      return last;
    }
    if (contract.source() != null && !contract.source().isBlank()) {
      String file = Path.of(contract.source()).getFileName().toString();
      int dot = file.lastIndexOf('.');
      return dot > 0 ? file.substring(0, dot) : file;
    }
    return name == null || name.isBlank() ? "model" : name;
  }

  /**
   * The curve the suggestion rules read for one optimizer's run: the smoothed loss over the skip
   * window, with the raw losses and the smoothing so that it can tell a fall from batch noise.
   */
  public static Curve curveOf(OptimizerCurve curve, RangeTestConfig config) {
    return Curve.of(curve.learningRateArray(), curve.smoothedArray(), curve.lossArray(),
        config.beta(), config.skipBegin(), config.skipEnd());
  }

  /**
   * What the reader must see before the numbers, one sentence each: the warnings, then for every
   * optimizer whose loss never fell, that it did not ({@code adam: the loss never fell ...}).
   */
  public List<String> notices() {
    List<String> notices = new java.util.ArrayList<>(warnings);
    notices.addAll(neverFell());
    return List.copyOf(notices);
  }

  /** {@code <optimizer>: <why>} for each optimizer whose loss never fell. */
  public List<String> neverFell() {
    return result.curves().stream().filter(this::neverFell)
        .map(curve -> curve.optimizer() + ": " + descent(curve).reason()).toList();
  }

  /** Whether the curve is long enough to judge and its loss never fell. */
  public boolean neverFell(OptimizerCurve curve) {
    Descent descent = descent(curve);
    return !descent.fell() && !Double.isNaN(descent.threshold());
  }

  /** Whether and how far the loss of {@code curve} fell (the rules give none when it did not). */
  public Descent descent(OptimizerCurve curve) {
    return curveOf(curve, result.config()).descent();
  }

  /** The suggestions for {@code optimizer}, in rule order; empty when there are none. */
  public List<Suggestion> suggestionsFor(String optimizer) {
    return suggestions.getOrDefault(optimizer, List.of());
  }

  /** The suggestion of rule {@code rule} for {@code optimizer}, if that rule ran. */
  public Optional<Suggestion> suggestion(String optimizer, String rule) {
    return suggestionsFor(optimizer).stream().filter(s -> s.rule().equals(rule)).findFirst();
  }
}
