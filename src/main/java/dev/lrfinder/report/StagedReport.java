package dev.lrfinder.report;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.knowm.xchart.XYChart;

/**
 * A report whose place is reserved ({@link ReportWriter#prepare}): {@link #write} fills its hidden
 * staging directory, {@link #publish} renames that into place, {@link #close} deletes whatever
 * was not published.
 */
public final class StagedReport implements AutoCloseable {
  private final FileOpener opener;
  private final Staging staging;
  private final Path target;
  private final boolean explicit;
  private boolean written;

  StagedReport(FileOpener opener, Staging staging, Path target, boolean explicit) {
    this.opener = opener;
    this.staging = staging;
    this.target = target;
    this.explicit = explicit;
  }

  /**
   * Where the report goes: the explicit directory, or the first choice of the reports root (a
   * taken name gets {@code -2}, {@code -3}... when published).
   */
  public Path target() {
    return target;
  }

  /**
   * Writes every file of the report for {@code input} into the staging directory.
   *
   * @throws OutputException naming the file and the cause ("no space left on device writing
   *     .../loss_vs_lr.png")
   * @throws InterruptedIOException if the thread is interrupted or the JVM shuts down
   */
  public void write(ReportInput input) throws InterruptedIOException {
    write(input, List.of());
  }

  /**
   * As {@link #write(ReportInput)}, the page also listing {@code trained}: the runs that trained
   * between the bounds this range test found, each a training report in a folder of this report
   * ({@link #writeTraining}).
   *
   * @throws OutputException naming the file and the cause
   * @throws InterruptedIOException if the thread is interrupted or the JVM shuts down
   */
  public void write(ReportInput input, List<TrainedRun> trained) throws InterruptedIOException {
    // The PNGs are encoded on threads of their own while this one renders the page, the JSON
    // and the CSV (the cold report took 455 ms on one thread). Each PNG paints its own drawing of
    // the chart: XChart's charts are not safe to paint from two threads.
    ExecutorService encoders = Executors.newFixedThreadPool(
        Math.min(Charts.FILE_NAMES.size(), Runtime.getRuntime().availableProcessors()),
        StagedReport::encoderThread);
    try {
      Map<String, Future<byte[]>> pngs = new LinkedHashMap<>();
      Charts.drawers().forEach((name, draw) ->
          pngs.put(name, encoders.submit(() -> ChartStyle.png(draw.apply(input)))));
      Map<String, XYChart> charts = new LinkedHashMap<>();
      Charts.drawers().forEach((name, draw) -> charts.put(name, draw.apply(input)));
      Map<String, byte[]> texts = new LinkedHashMap<>();
      texts.put(CurvesCsv.FILE_NAME, utf8(CurvesCsv.render(input)));
      if (input.verification() != null) {
        texts.put(VerificationSection.CSV_FILE_NAME,
            utf8(VerificationSection.csv(input.verification())));
      }
      if (input.repeats() != null) {
        texts.put(RepeatsSection.CSV_FILE_NAME, utf8(RepeatsSection.csv(input.repeats())));
      }
      texts.put(HtmlReport.FILE_NAME, utf8(HtmlReport.render(input, charts, trained)));
      texts.put(ResultJson.FILE_NAME, utf8(ResultJson.toJson(input) + "\n"));

      Map<String, StagedFile.Content> files = new LinkedHashMap<>();
      files.put(CurvesCsv.FILE_NAME, out -> out.write(texts.get(CurvesCsv.FILE_NAME)));
      for (String csv : List.of(VerificationSection.CSV_FILE_NAME, RepeatsSection.CSV_FILE_NAME)) {
        if (texts.containsKey(csv)) {
          files.put(csv, out -> out.write(texts.get(csv)));
        }
      }
      pngs.forEach((name, png) -> files.put(name, out -> out.write(done(png))));
      files.put(HtmlReport.FILE_NAME, out -> out.write(texts.get(HtmlReport.FILE_NAME)));
      files.put(ResultJson.FILE_NAME, out -> out.write(texts.get(ResultJson.FILE_NAME)));
      for (Map.Entry<String, StagedFile.Content> file : files.entrySet()) {
        StagedFile.write(opener, staging, staging.directory().resolve(file.getKey()),
            target.resolve(file.getKey()), file.getValue());
      }
    } finally {
      encoders.shutdownNow();
    }
    written = true;
  }

  /**
   * Writes the training report of {@code input} into the folder {@code folder} of this report
   * (published with it): {@code find --then-train}'s learning curves beside the range test.
   *
   * @throws OutputException naming the file and the cause
   * @throws InterruptedIOException if the thread is interrupted or the JVM shuts down
   */
  public void writeTraining(String folder, TrainingReportInput input)
      throws InterruptedIOException {
    if (!folder.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
      throw new IllegalArgumentException("a report folder is one plain name, got '" + folder
          + "'");
    }
    Path directory = staging.directory().resolve(folder);
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw OutputException.writing(target.resolve(folder), e);
    }
    for (Map.Entry<String, StagedFile.Content> file
        : TrainingReportWriter.files(input).entrySet()) {
      StagedFile.write(opener, staging, directory.resolve(file.getKey()),
          target.resolve(folder).resolve(file.getKey()), file.getValue());
    }
  }

  /**
   * A run that trained between the bounds of this report's range test.
   *
   * @param folder the folder of its training report inside this report
   * @param result the run
   */
  public record TrainedRun(String folder, dev.lrfinder.lab.TrainingResult result) {
    public TrainedRun {
      java.util.Objects.requireNonNull(folder, "folder");
      java.util.Objects.requireNonNull(result, "result");
    }
  }

  private static Thread encoderThread(Runnable work) {
    Thread thread = new Thread(work, "lrfinder-png");
    thread.setDaemon(true);
    return thread;
  }

  /** The encoded PNG, its failure as the writer's own (an interrupt as an interrupted write). */
  private static byte[] done(Future<byte[]> png) throws IOException {
    try {
      return png.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while the charts were encoded");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(cause);
    }
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
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
    return publish(staging, target, explicit);
  }

  /**
   * Renames {@code staging}'s directory to {@code target} (an explicit place, checked empty
   * before) or to the first free numbered sibling of {@code target}, and returns where it went:
   * the find report's and the training report's publish.
   */
  static Path publish(Staging staging, Path target, boolean explicit)
      throws InterruptedIOException {
    staging.checkNotStopped();
    Path published = explicit ? publishExplicit(staging, target)
        : publishNumbered(staging, target);
    staging.published();
    return published;
  }

  private static Path publishExplicit(Staging staging, Path target) {
    boolean emptied = false;
    try {
      if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
        Files.delete(target); // empty, as checked; fails if something appeared in it since
        emptied = true;
      }
      move(staging.directory(), target);
      return target;
    } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
      throw taken(target);
    } catch (IOException e) {
      if (emptied) {
        recreate(target);
      }
      throw OutputException.writing(target, e);
    }
  }

  /** Puts back the user's empty directory that a failed publish removed. */
  private static void recreate(Path directory) {
    try {
      Files.createDirectory(directory);
    } catch (IOException e) {
      // Best effort: it was empty, so nothing of the user's is lost.
    }
  }

  private static Path publishNumbered(Staging staging, Path target) {
    String base = target.getFileName().toString();
    for (int n = 1; ; n++) {
      Path numbered = target.resolveSibling(n == 1 ? base : base + "-" + n);
      if (Files.exists(numbered, LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      try {
        move(staging.directory(), numbered);
        return numbered;
      } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
        // Taken since we looked: try the next number.
      } catch (IOException e) {
        throw OutputException.writing(numbered, e);
      }
    }
  }

  private static void move(Path staged, Path target) throws IOException {
    try {
      Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(staged, target);
    }
  }

  static IllegalArgumentException taken(Path target) {
    return new IllegalArgumentException("'" + target + "' already exists and is not an empty"
        + " directory; lrfinder does not overwrite reports, so choose another output directory.");
  }

  /** Deletes the staging directory (and, if unpublished, the parents created for it). */
  @Override
  public void close() {
    staging.close();
  }
}
