package dev.lrfinder.report;

import dev.lrfinder.lab.SweepResult;
import dev.lrfinder.model.ModelContract;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Everything a sweep's report shows: one learning curve per run and where they came from.
 *
 * @param modelDir the model trained
 * @param dataFile the data it trained on
 * @param contract the model's contract
 * @param trainingPath how it trained, in one line
 * @param result the sweep
 * @param validationSource where the validation data came from, in words, or ""
 * @param about the experiment file's title, source and claim, or {@code null} for a sweep from
 *     the command line
 * @param tensorflowVersion TensorFlow's version
 * @param javaVersion Java's version
 * @param createdAt when the sweep started
 * @param command the command line, or ""
 * @param notes what the reader should know first
 */
public record SweepReportInput(Path modelDir, Path dataFile, ModelContract contract,
    String trainingPath, SweepResult result, String validationSource, About about,
    String tensorflowVersion, String javaVersion, Instant createdAt, String command,
    List<String> notes) {

  /**
   * Where an experiment comes from.
   *
   * @param title the report's title, or ""
   * @param source where the experiment comes from, or ""
   * @param claim what the source concluded, or ""
   * @param file the experiment file
   */
  public record About(String title, String source, String claim, Path file) {
    public About {
      title = title == null ? "" : title;
      source = source == null ? "" : source;
      claim = claim == null ? "" : claim;
    }
  }

  public SweepReportInput {
    Objects.requireNonNull(result, "result");
    Objects.requireNonNull(createdAt, "createdAt");
    notes = List.copyOf(notes);
    validationSource = validationSource == null ? "" : validationSource;
    command = command == null ? "" : command;
  }

  /** The name the report's titles use (see {@link ReportInput#displayName}). */
  public String modelName() {
    return ReportInput.displayName(modelDir, contract);
  }

  /** The page's title: the experiment's, or what the sweep varies on which model. */
  public String title() {
    return about != null && !about.title().isBlank() ? about.title()
        : "Sweep: " + modelName() + ", " + (result.parameter().equals(
            dev.lrfinder.lab.SweepPlan.RUNS) ? "whole configurations" : result.parameter());
  }

  /** The value of run {@code index}: its label without the {@code PARAM=} prefix. */
  public String value(int index) {
    String label = result.runs().get(index).label();
    String prefix = result.parameter() + "=";
    return label.startsWith(prefix) ? label.substring(prefix.length()) : label;
  }
}
