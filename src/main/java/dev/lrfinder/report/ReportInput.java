package dev.lrfinder.report;

import dev.lrfinder.model.ModelContract;
import dev.lrfinder.rangetest.OptimizerCurve;
import dev.lrfinder.rangetest.RangeTestResult;
import dev.lrfinder.rangetest.VerificationResult;
import dev.lrfinder.suggest.Descent;
import dev.lrfinder.suggest.RangeTestAnalysis;
import dev.lrfinder.suggest.RepeatedRuns;
import dev.lrfinder.suggest.Suggestion;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything a range-test report shows: the model, the data, the result, its analysis (the
 * suggestions and descent per optimizer, worked out once, in the result's optimizer order) and
 * where and when it ran. The report's parts read the analysis; none recomputes it.
 *
 * @param trainingPath how the model was trained ({@code TrainableModel#trainingPath}), e.g.
 *     {@code "direct: trainable, ..."}
 * @param analysis the reading of {@code result}'s curves
 * @param command the command line that produced it, for the record (may be empty)
 * @param warnings sentences about the data or model the reader should see first, e.g. that the
 *     features look unscaled
 * @param verification the suggestions verified by training ({@code find --verify}), or null
 * @param repeats the range test repeated with other batch orders ({@code find --repeats}), whose
 *     first run is {@code result}, or null
 */
public record ReportInput(
    Path modelDir,
    Path dataFile,
    ModelContract contract,
    String trainingPath,
    RangeTestResult result,
    RangeTestAnalysis analysis,
    String tensorflowVersion,
    String javaVersion,
    Instant createdAt,
    String command,
    List<String> warnings,
    VerificationResult verification,
    RepeatedRuns repeats) {

  /** Names Keras gives a model nobody named ({@code sequential}, {@code model_3}, ...). */
  private static final java.util.regex.Pattern KERAS_DEFAULT_NAME = java.util.regex.Pattern
      .compile("(sequential|model|functional)(_\\d+)?");

  public ReportInput {
    java.util.Objects.requireNonNull(analysis, "analysis");
    warnings = List.copyOf(warnings);
  }

  /** A report without verification or repeats. */
  public ReportInput(Path modelDir, Path dataFile, ModelContract contract, String trainingPath,
      RangeTestResult result, RangeTestAnalysis analysis, String tensorflowVersion,
      String javaVersion, Instant createdAt, String command, List<String> warnings) {
    this(modelDir, dataFile, contract, trainingPath, result, analysis, tensorflowVersion,
        javaVersion, createdAt, command, warnings, null, null);
  }

  /** A report without warnings about the data. */
  public ReportInput(Path modelDir, Path dataFile, ModelContract contract, String trainingPath,
      RangeTestResult result, RangeTestAnalysis analysis, String tensorflowVersion,
      String javaVersion, Instant createdAt, String command) {
    this(modelDir, dataFile, contract, trainingPath, result, analysis, tensorflowVersion,
        javaVersion, createdAt, command, List.of());
  }

  /**
   * A report of {@code result} read with the default analysis settings, whose suggestions are
   * {@code suggestions} (by optimizer) instead of the rules' own.
   */
  public ReportInput(Path modelDir, Path dataFile, ModelContract contract, String trainingPath,
      RangeTestResult result, Map<String, List<Suggestion>> suggestions, String tensorflowVersion,
      String javaVersion, Instant createdAt, String command, List<String> warnings) {
    this(modelDir, dataFile, contract, trainingPath, result,
        RangeTestAnalysis.of(result).withSuggestions(suggestions), tensorflowVersion,
        javaVersion, createdAt, command, warnings);
  }

  /** As the constructor above, without warnings. */
  public ReportInput(Path modelDir, Path dataFile, ModelContract contract, String trainingPath,
      RangeTestResult result, Map<String, List<Suggestion>> suggestions, String tensorflowVersion,
      String javaVersion, Instant createdAt, String command) {
    this(modelDir, dataFile, contract, trainingPath, result, suggestions, tensorflowVersion,
        javaVersion, createdAt, command, List.of());
  }

  /** Every optimizer's suggestions, in the result's order (the analysis's). */
  public Map<String, List<Suggestion>> suggestions() {
    return analysis.suggestions();
  }

  /** Points left out at the start of each curve by plots and suggestions. */
  public int skipBegin() {
    return analysis.skipBegin();
  }

  /** Points left out at the end of each curve by plots and suggestions. */
  public int skipEnd() {
    return analysis.skipEnd();
  }

  /** This input with {@code warnings} (one sentence each) shown at the top of the report. */
  public ReportInput withWarnings(List<String> warnings) {
    return new ReportInput(modelDir, dataFile, contract, trainingPath, result, analysis,
        tensorflowVersion, javaVersion, createdAt, command, warnings, verification, repeats);
  }

  /** This input with the suggestions verified by training ({@code null} for none). */
  public ReportInput withVerification(VerificationResult verification) {
    return new ReportInput(modelDir, dataFile, contract, trainingPath, result, analysis,
        tensorflowVersion, javaVersion, createdAt, command, warnings, verification, repeats);
  }

  /** This input with the repeated runs, whose first must be this input's result. */
  public ReportInput withRepeats(RepeatedRuns repeats) {
    return new ReportInput(modelDir, dataFile, contract, trainingPath, result, analysis,
        tensorflowVersion, javaVersion, createdAt, command, warnings, verification, repeats);
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
   * What the reader must see before the numbers, one sentence each: the warnings, then for every
   * optimizer whose loss never fell, that it did not ({@code adam: the loss never fell ...}).
   */
  public List<String> notices() {
    List<String> notices = new java.util.ArrayList<>(warnings);
    notices.addAll(neverFell());
    if (repeats != null) {
      repeats.flagged().forEach(line -> notices.add(line + "; it depends on the batch order"));
    }
    return List.copyOf(notices);
  }

  /** {@code <optimizer>: <why>} for each optimizer whose loss never fell. */
  public List<String> neverFell() {
    return analysis.neverFell();
  }

  /** Whether the curve is long enough to judge and its loss never fell. */
  public boolean neverFell(OptimizerCurve curve) {
    return analysis.optimizer(curve.optimizer()).neverFell();
  }

  /** Whether and how far the loss of {@code curve} fell (the rules give none when it did not). */
  public Descent descent(OptimizerCurve curve) {
    return analysis.optimizer(curve.optimizer()).descent();
  }

  /** The suggestions for {@code optimizer}, in rule order; empty when there are none. */
  public List<Suggestion> suggestionsFor(String optimizer) {
    return analysis.suggestionsFor(optimizer);
  }

  /** The suggestion of rule {@code rule} for {@code optimizer}, if that rule ran. */
  public Optional<Suggestion> suggestion(String optimizer, String rule) {
    return analysis.suggestion(optimizer, rule);
  }
}
