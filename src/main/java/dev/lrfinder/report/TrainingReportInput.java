package dev.lrfinder.report;

import dev.lrfinder.lab.TrainingResult;
import dev.lrfinder.model.ModelContract;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Everything a training run's report shows: the learning curves and where they came from.
 *
 * @param modelDir the model trained
 * @param dataFile the data it trained on
 * @param contract the model's contract
 * @param trainingPath how it trained, in one line ({@code exported: ...})
 * @param result the run
 * @param validationSource where the validation data came from, in words ("the last 20% of the
 *     training rows", "x_test/y_test"), or "" without validation
 * @param tensorflowVersion TensorFlow's version
 * @param javaVersion Java's version
 * @param createdAt when the run started
 * @param command the command line, or ""
 * @param notes what the reader should know first
 * @param boundsFrom the find report whose cyclical bounds the schedule runs between, or null
 */
public record TrainingReportInput(Path modelDir, Path dataFile, ModelContract contract,
    String trainingPath, TrainingResult result, String validationSource,
    String tensorflowVersion, String javaVersion, Instant createdAt, String command,
    List<String> notes, BoundsSource boundsFrom) {
  public TrainingReportInput {
    Objects.requireNonNull(result, "result");
    Objects.requireNonNull(createdAt, "createdAt");
    notes = List.copyOf(notes);
    validationSource = validationSource == null ? "" : validationSource;
    command = command == null ? "" : command;
  }

  /** A report of a run whose rates came from no find report. */
  public TrainingReportInput(Path modelDir, Path dataFile, ModelContract contract,
      String trainingPath, TrainingResult result, String validationSource,
      String tensorflowVersion, String javaVersion, Instant createdAt, String command,
      List<String> notes) {
    this(modelDir, dataFile, contract, trainingPath, result, validationSource,
        tensorflowVersion, javaVersion, createdAt, command, notes, null);
  }

  /** This input with the find report the cyclical bounds came from. */
  public TrainingReportInput withBoundsFrom(BoundsSource bounds) {
    return new TrainingReportInput(modelDir, dataFile, contract, trainingPath, result,
        validationSource, tensorflowVersion, javaVersion, createdAt, command, notes, bounds);
  }

  /** The name the report's titles use (see {@link ReportInput#displayName}). */
  public String modelName() {
    return ReportInput.displayName(modelDir, contract);
  }
}
