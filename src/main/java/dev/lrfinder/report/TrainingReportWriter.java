package dev.lrfinder.report;

import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.knowm.xchart.XYChart;

/**
 * Writes a training run's report directory ({@code index.html}, {@code training.json},
 * {@code epochs.csv}, {@code steps.csv}, the chart PNGs) as {@link ReportWriter} writes the find
 * report: into a hidden staging directory made before the training (so a place that takes no
 * files shows first), renamed into place at the end; an existing report is never overwritten and a
 * failure or interruption leaves nothing behind.
 */
public final class TrainingReportWriter {
  private final FileOpener opener;
  private final ShutdownCleanup cleanup;

  /** A writer on the disk that registers nothing for a JVM shutdown (a library's). */
  public TrainingReportWriter() {
    this(FileOpener.DISK, ShutdownCleanup.none());
  }

  /** A writer creating files through {@code opener}, staging registered with {@code cleanup}. */
  public TrainingReportWriter(FileOpener opener, ShutdownCleanup cleanup) {
    this.opener = Objects.requireNonNull(opener, "opener");
    this.cleanup = Objects.requireNonNull(cleanup, "cleanup");
  }

  /**
   * Reserves the report's place: {@code explicitOut} (which must not exist or be an empty
   * directory) or {@code reportsRoot/<model>-train-<yyyyMMdd-HHmmss>} (numbered when taken).
   *
   * @throws IllegalArgumentException if {@code explicitOut} exists and is not an empty directory
   * @throws OutputException if the place takes no files
   */
  public Staged prepare(String modelName, Instant createdAt, Path reportsRoot, Path explicitOut) {
    return prepareNamed(ReportWriter.directoryName(modelName, createdAt).replaceFirst(
        "-(\\d{8}-)", "-train-$1"), reportsRoot, explicitOut);
  }

  /**
   * Reserves {@code explicitOut} or {@code reportsRoot/<name>} (numbered when taken): the place
   * of a training report or of a sweep's ({@link SweepReportWriter}).
   */
  Staged prepareNamed(String name, Path reportsRoot, Path explicitOut) {
    if (explicitOut != null) {
      Path target = explicitOut.toAbsolutePath().normalize();
      ReportWriter.checkUnused(target);
      if (target.getParent() == null) {
        throw StagedReport.taken(target);
      }
      return new Staged(Staging.create(target.getParent(), target.getFileName().toString(),
          "the report to", target, cleanup), target, true);
    }
    Path root = reportsRoot.toAbsolutePath().normalize();
    Path target = root.resolve(name);
    return new Staged(Staging.create(root, name, "the report to", target, cleanup), target,
        false);
  }

  /** A reserved report: {@link #write}, then {@link #publish}; close drops what is unpublished. */
  public final class Staged implements AutoCloseable {
    private final Staging staging;
    private final Path target;
    private final boolean explicit;
    private boolean written;

    private Staged(Staging staging, Path target, boolean explicit) {
      this.staging = staging;
      this.target = target;
      this.explicit = explicit;
    }

    /** Where the report goes (a numbered sibling when the default name is taken). */
    public Path target() {
      return target;
    }

    /**
     * Writes every file of the report into the staging directory.
     *
     * @throws OutputException naming the file and the cause
     * @throws InterruptedIOException if the thread is interrupted or the JVM shuts down
     */
    public void write(TrainingReportInput input) throws InterruptedIOException {
      write(files(input));
    }

    /** Writes {@code files} (by name, in order) into the staging directory. */
    void write(Map<String, StagedFile.Content> files) throws InterruptedIOException {
      for (Map.Entry<String, StagedFile.Content> file : files.entrySet()) {
        StagedFile.write(opener, staging, staging.directory().resolve(file.getKey()),
            target.resolve(file.getKey()), file.getValue());
      }
      written = true;
    }

    /**
     * Renames the written report into place and returns its directory.
     *
     * @throws IllegalArgumentException if the explicit directory got files since it was checked
     * @throws InterruptedIOException if the thread is interrupted or the JVM shuts down
     */
    public Path publish() throws InterruptedIOException {
      if (!written) {
        throw new IllegalStateException("write the report before publishing it");
      }
      return StagedReport.publish(staging, target, explicit);
    }

    @Override
    public void close() {
      staging.close();
    }
  }

  /** Every file of the report of {@code input}, by name, in the order they are written. */
  static Map<String, StagedFile.Content> files(TrainingReportInput input) {
    Map<String, StagedFile.Content> files = new LinkedHashMap<>();
    files.put(TrainingCsv.EPOCHS_FILE,
        out -> out.write(utf8(TrainingCsv.epochs(input.result()))));
    files.put(TrainingCsv.STEPS_FILE, out -> out.write(utf8(TrainingCsv.steps(input.result()))));
    Map<String, XYChart> charts = new LinkedHashMap<>();
    TrainingCharts.drawers(input.result()).forEach((name, draw) -> {
      XYChart chart = draw.apply(input);
      charts.put(name, chart);
      files.put(name, out -> ChartStyle.save(chart, out));
    });
    files.put(TrainingHtml.FILE_NAME,
        out -> out.write(utf8(TrainingHtml.render(input, charts))));
    files.put(TrainingJson.FILE_NAME, out -> out.write(utf8(TrainingJson.toJson(input) + "\n")));
    return files;
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
