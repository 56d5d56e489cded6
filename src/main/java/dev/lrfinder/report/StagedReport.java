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
import java.util.Map;
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
    Map<String, StagedFile.Content> files = new LinkedHashMap<>();
    files.put(CurvesCsv.FILE_NAME, out -> out.write(utf8(CurvesCsv.render(input))));
    if (input.verification() != null) {
      files.put(VerificationSection.CSV_FILE_NAME,
          out -> out.write(utf8(VerificationSection.csv(input.verification()))));
    }
    if (input.repeats() != null) {
      files.put(RepeatsSection.CSV_FILE_NAME,
          out -> out.write(utf8(RepeatsSection.csv(input.repeats()))));
    }
    // Each chart drawn once: as a PNG beside the page, and inline in it as SVG.
    Map<String, XYChart> charts = new LinkedHashMap<>();
    Charts.drawers().forEach((name, draw) -> {
      XYChart chart = draw.apply(input);
      charts.put(name, chart);
      files.put(name, out -> ChartStyle.save(chart, out));
    });
    files.put(HtmlReport.FILE_NAME, out -> out.write(utf8(HtmlReport.render(input, charts))));
    files.put(ResultJson.FILE_NAME, out -> out.write(utf8(ResultJson.toJson(input) + "\n")));
    for (Map.Entry<String, StagedFile.Content> file : files.entrySet()) {
      StagedFile.write(opener, staging, staging.directory().resolve(file.getKey()),
          target.resolve(file.getKey()), file.getValue());
    }
    written = true;
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
    staging.checkNotStopped();
    Path published = explicit ? publishExplicit() : publishNumbered();
    staging.published();
    return published;
  }

  private Path publishExplicit() {
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

  private Path publishNumbered() {
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
