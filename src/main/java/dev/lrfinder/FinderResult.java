package dev.lrfinder;

import dev.lrfinder.model.ModelContract;
import dev.lrfinder.rangetest.OptimizerCurve;
import dev.lrfinder.rangetest.RangeTestResult;
import dev.lrfinder.rangetest.StopReason;
import dev.lrfinder.rangetest.VerificationResult;
import dev.lrfinder.report.ReportInput;
import dev.lrfinder.report.ReportWriter;
import dev.lrfinder.report.ResultJson;
import dev.lrfinder.suggest.AnalysisSettings;
import dev.lrfinder.suggest.RangeTestAnalysis;
import dev.lrfinder.suggest.RepeatedRuns;
import dev.lrfinder.suggest.Suggestion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@link LrFinder#rangeTest} found: one curve per optimizer, the suggestions read off them
 * (computed once, when the result is made), and the notes the user should see. Immutable, so it
 * may be handed to other threads.
 */
public final class FinderResult {
  private final Path modelDir;
  private final ModelContract contract;
  private final String trainingPath;
  private final RangeTestResult result;
  private final RangeTestAnalysis analysis;
  private final List<String> warnings;
  private final Instant createdAt;
  private final VerificationResult verification;
  private final RepeatedRuns repeats;

  FinderResult(Path modelDir, ModelContract contract, String trainingPath,
      RangeTestResult result, RangeTestAnalysis analysis, List<String> warnings,
      Instant createdAt) {
    this(modelDir, contract, trainingPath, result, analysis, warnings, createdAt, null, null);
  }

  FinderResult(Path modelDir, ModelContract contract, String trainingPath,
      RangeTestResult result, RangeTestAnalysis analysis, List<String> warnings,
      Instant createdAt, VerificationResult verification, RepeatedRuns repeats) {
    this.verification = verification;
    this.repeats = repeats;
    this.modelDir = modelDir;
    this.contract = contract;
    this.trainingPath = trainingPath;
    this.result = result;
    this.analysis = analysis;
    this.warnings = List.copyOf(warnings);
    this.createdAt = createdAt;
  }

  /**
   * The suggestion of rule {@code rule} (e.g. {@code "valley"}, {@code "steep"},
   * {@code "minimum"}; see {@link dev.lrfinder.suggest.Suggestions#defaultRules()}) for
   * {@code optimizer}. It may be none ({@link Suggestion#found()} false, with the reason in its
   * note), e.g. when the loss never fell.
   *
   * @throws IllegalArgumentException when the run has no curve of {@code optimizer} or no such
   *     rule ran
   */
  public Suggestion suggestion(String optimizer, String rule) {
    return analysis.optimizer(optimizer).suggestion(rule).orElseThrow(() ->
        new IllegalArgumentException("no rule '" + rule + "'; the rules are " + String.join(", ",
            analysis.suggestionsFor(optimizer).stream().map(Suggestion::rule).toList())));
  }

  /** Every optimizer's suggestions, in the run's optimizer order, each in rule order. */
  public Map<String, List<Suggestion>> suggestions() {
    return analysis.suggestions();
  }

  /**
   * What the user should know, one sentence each: notes about the model and the data (e.g. that
   * the features look unscaled), then each optimizer whose loss never fell, with why.
   */
  public List<String> notes() {
    return reportInput().notices();
  }

  /** The curves, one per optimizer, in the order they ran. */
  public List<OptimizerCurve> curves() {
    return result.curves();
  }

  /**
   * The curve of {@code optimizer}.
   *
   * @throws IllegalArgumentException when the run has none
   */
  public OptimizerCurve curve(String optimizer) {
    return result.curve(optimizer);
  }

  /** Whether the run was cancelled through its token (or its future). */
  public boolean cancelled() {
    return result.curves().stream().anyMatch(c -> c.stopReason() == StopReason.CANCELLED);
  }

  /** Everything the engine measured, with the config it ran. */
  public RangeTestResult rangeTestResult() {
    return result;
  }

  /** The reading of the curves (descent, suggestions) that this result reports. */
  public RangeTestAnalysis analysis() {
    return analysis;
  }

  /**
   * The same run read with other settings (points skipped at the end, rules). A verification
   * is dropped (it trained the old suggestions); repeats are read with the new settings too.
   */
  public FinderResult withAnalysis(AnalysisSettings settings) {
    return new FinderResult(modelDir, contract, trainingPath, result,
        RangeTestAnalysis.of(result, settings), warnings, createdAt, null,
        repeats == null ? null : RepeatedRuns.of(repeats.runs(), settings));
  }

  /**
   * The suggestions verified by training ({@link LrFinder#verify}): each distinct rate's
   * held-out loss after N steps, ranked, with the recommendation; empty when not verified.
   */
  public Optional<VerificationResult> verification() {
    return Optional.ofNullable(verification);
  }

  /**
   * The range test repeated with other batch orders ({@link LrFinder#repeatedRangeTest}): mean
   * curves with a min-max band and each rule's spread; empty for a single run. This result's
   * curves and suggestions are the first repeat's (the config's seed).
   */
  public Optional<RepeatedRuns> repeats() {
    return Optional.ofNullable(repeats);
  }

  /** This result with {@code verification} (made by {@link LrFinder#verify}). */
  FinderResult withVerification(VerificationResult verification) {
    return new FinderResult(modelDir, contract, trainingPath, result, analysis, warnings,
        createdAt, verification, repeats);
  }

  /** What the report and the JSON show. */
  public ReportInput reportInput() {
    return new ReportInput(modelDir, null, contract, trainingPath, result, analysis,
        org.tensorflow.TensorFlow.version(), System.getProperty("java.version"), createdAt, "",
        warnings, verification, repeats);
  }

  /**
   * Writes the report (index.html with its charts, result.json, curves.csv) to {@code dir},
   * which must not exist or be an empty directory; nothing is left behind when writing fails.
   *
   * @return the report's {@code index.html}
   * @throws IllegalArgumentException when {@code dir} exists and is not an empty directory
   * @throws UncheckedIOException when writing fails or the thread is interrupted
   */
  public Path writeReport(Path dir) {
    try {
      return new ReportWriter().write(reportInput(), null, dir).resolve("index.html");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The text of the report's {@code result.json}. */
  public String toJson() {
    return ResultJson.toJson(reportInput());
  }
}
