package dev.lrfinder.report;

import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a sweep's report directory ({@code index.html}, {@code sweep.json}, {@code runs.csv},
 * {@code epochs.csv}, the chart PNGs) as {@link TrainingReportWriter} writes a training report:
 * into a hidden staging directory made before the training, renamed into place at the end; an
 * existing report is never overwritten and a failure or interruption leaves nothing behind.
 */
public final class SweepReportWriter {
  private final TrainingReportWriter writer;

  /** A writer on the disk that registers nothing for a JVM shutdown (a library's). */
  public SweepReportWriter() {
    this(FileOpener.DISK, ShutdownCleanup.none());
  }

  /** A writer creating files through {@code opener}, staging registered with {@code cleanup}. */
  public SweepReportWriter(FileOpener opener, ShutdownCleanup cleanup) {
    this.writer = new TrainingReportWriter(opener, cleanup);
  }

  /**
   * Reserves the report's place: {@code explicitOut} (which must not exist or be an empty
   * directory) or {@code reportsRoot/<name>-<yyyyMMdd-HHmmss>} (numbered when taken), the name
   * an experiment's or {@code <model>-sweep}.
   *
   * @throws IllegalArgumentException if {@code explicitOut} exists and is not an empty directory
   * @throws OutputException if the place takes no files
   */
  public Staged prepare(String name, Instant createdAt, Path reportsRoot, Path explicitOut) {
    return new Staged(writer.prepareNamed(ReportWriter.directoryName(name, createdAt),
        reportsRoot, explicitOut));
  }

  /** A reserved report: {@link #write}, then {@link #publish}; close drops what is unpublished. */
  public static final class Staged implements AutoCloseable {
    private final TrainingReportWriter.Staged staged;

    private Staged(TrainingReportWriter.Staged staged) {
      this.staged = staged;
    }

    /** Where the report goes (a numbered sibling when the default name is taken). */
    public Path target() {
      return staged.target();
    }

    /**
     * Writes every file of the report into the staging directory.
     *
     * @throws OutputException naming the file and the cause
     * @throws InterruptedIOException if the thread is interrupted or the JVM shuts down
     */
    public void write(SweepReportInput input) throws InterruptedIOException {
      Map<String, StagedFile.Content> files = new LinkedHashMap<>();
      files.put(SweepCsv.RUNS_FILE, out -> out.write(utf8(SweepCsv.runs(input))));
      files.put(SweepCsv.EPOCHS_FILE, out -> out.write(utf8(SweepCsv.epochs(input))));
      Map<String, SweepCharts.Drawn> charts = SweepHtml.charts(input);
      charts.forEach((name, drawn) -> files.put(name, out -> ChartStyle.save(drawn.chart(),
          out)));
      files.put(SweepHtml.FILE_NAME, out -> out.write(utf8(SweepHtml.render(input, charts))));
      files.put(SweepJson.FILE_NAME, out -> out.write(utf8(SweepJson.toJson(input) + "\n")));
      staged.write(files);
    }

    /**
     * Renames the written report into place and returns its directory.
     *
     * @throws IllegalArgumentException if the explicit directory got files since it was checked
     * @throws InterruptedIOException if the thread is interrupted or the JVM shuts down
     */
    public Path publish() throws InterruptedIOException {
      return staged.publish();
    }

    @Override
    public void close() {
      staged.close();
    }
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
