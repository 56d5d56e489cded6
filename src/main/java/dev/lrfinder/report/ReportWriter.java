package dev.lrfinder.report;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.stream.Stream;

/**
 * Writes a report directory: {@code index.html}, {@code result.json}, {@code curves.csv} and the
 * chart PNGs. Everything is first written to a hidden sibling directory that is renamed into
 * place at the end, so a failure or an interruption leaves no half-written report; an existing
 * report is never overwritten. {@link #prepare} creates that directory before the work whose
 * result it will hold, so a place that takes no files is found before any training.
 */
public final class ReportWriter {
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

  private final FileOpener opener;
  private final ShutdownCleanup cleanup;

  /** A writer on the disk that registers nothing for a JVM shutdown (a library's). */
  public ReportWriter() {
    this(FileOpener.DISK);
  }

  /** A writer that creates every file through {@code opener} (tests put a full disk there). */
  public ReportWriter(FileOpener opener) {
    this(opener, ShutdownCleanup.none());
  }

  /**
   * A writer whose staged reports register their deletion with {@code cleanup} (the CLI's runs
   * it at a JVM shutdown).
   */
  public ReportWriter(FileOpener opener, ShutdownCleanup cleanup) {
    this.opener = opener;
    this.cleanup = java.util.Objects.requireNonNull(cleanup, "cleanup");
  }

  /** How this writer creates files, for other outputs of the same run. */
  public FileOpener opener() {
    return opener;
  }

  /** Where this writer's staged outputs register for a shutdown, for other outputs of the run. */
  public ShutdownCleanup cleanup() {
    return cleanup;
  }

  /**
   * Writes the report for {@code input} and returns its directory: {@code explicitOut} when given
   * (it must not exist, or be an empty directory), otherwise
   * {@code reportsRoot/<model>-<yyyyMMdd-HHmmss>} from {@code input.createdAt()} in UTC, with
   * {@code -2}, {@code -3}... appended while that name is taken. Missing parent directories are
   * created.
   *
   * @throws IllegalArgumentException if {@code explicitOut} exists and is not an empty directory
   * @throws OutputException if writing fails, naming the file and the cause; nothing is left
   *     behind then
   * @throws InterruptedIOException if the thread is interrupted or the JVM shuts down first;
   *     nothing is left behind
   */
  public Path write(ReportInput input, Path reportsRoot, Path explicitOut)
      throws InterruptedIOException {
    try (StagedReport report = prepare(input.modelName(), input.createdAt(), reportsRoot,
        explicitOut)) {
      report.write(input);
      return report.publish();
    }
  }

  /**
   * Reserves the report's place as {@link #write} would choose it, and creates the hidden
   * directory it is written in: close the result to give the place up.
   *
   * @throws IllegalArgumentException if {@code explicitOut} exists and is not an empty directory
   * @throws OutputException if the place takes no files, naming it and the cause
   */
  public StagedReport prepare(String modelName, Instant createdAt, Path reportsRoot,
      Path explicitOut) {
    if (explicitOut != null) {
      Path target = explicitOut.toAbsolutePath().normalize();
      checkUnused(target);
      if (target.getParent() == null) {
        throw StagedReport.taken(target);
      }
      return new StagedReport(opener, Staging.create(target.getParent(),
          target.getFileName().toString(), "the report to", target, cleanup), target, true);
    }
    Path root = reportsRoot.toAbsolutePath().normalize();
    Path target = root.resolve(directoryName(modelName, createdAt));
    return new StagedReport(opener, Staging.create(root, target.getFileName().toString(),
        "the report to", target, cleanup), target, false);
  }

  /** {@code <model>-<yyyyMMdd-HHmmss>}, the model name reduced to characters safe in file names. */
  static String directoryName(ReportInput input) {
    return directoryName(input.modelName(), input.createdAt());
  }

  static String directoryName(String modelName, Instant createdAt) {
    String model = modelName == null ? "" : modelName
        .replaceAll("[^A-Za-z0-9._-]", "_").replaceAll("^[.]+", "");
    return (model.isEmpty() ? "model" : model) + "-" + STAMP.format(createdAt);
  }

  /** Refuses {@code target} unless it is absent or an empty directory (find's and train's). */
  static void checkUnused(Path target) {
    if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
      throw StagedReport.taken(target);
    }
    try (Stream<Path> entries = Files.list(target)) {
      if (entries.findAny().isPresent()) {
        throw StagedReport.taken(target);
      }
    } catch (IOException e) {
      throw OutputException.creating("the report to", target, e);
    }
  }
}
