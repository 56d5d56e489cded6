package dev.lrfinder.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Writes a report directory: {@code index.html}, {@code result.json}, {@code curves.csv} and the
 * chart PNGs. Everything is first written to a hidden sibling directory that is renamed into
 * place at the end, so a failure leaves no half-written report; an existing report is never
 * overwritten.
 */
public final class ReportWriter {
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

  /**
   * Writes the report for {@code input} and returns its directory: {@code explicitOut} when given
   * (it must not exist, or be an empty directory), otherwise
   * {@code reportsRoot/<model>-<yyyyMMdd-HHmmss>} from {@code input.createdAt()} in UTC, with
   * {@code -2}, {@code -3}... appended while that name is taken. Missing parent directories are
   * created.
   *
   * @throws IllegalArgumentException if {@code explicitOut} exists and is not an empty directory
   * @throws IOException if writing fails; nothing is left behind then
   */
  public Path write(ReportInput input, Path reportsRoot, Path explicitOut) throws IOException {
    if (explicitOut != null) {
      return writeTo(input, explicitOut.toAbsolutePath().normalize());
    }
    Path root = reportsRoot.toAbsolutePath().normalize();
    Files.createDirectories(root);
    String base = directoryName(input);
    Path staged = stage(input, root, base);
    try {
      for (int n = 1; ; n++) {
        Path target = root.resolve(n == 1 ? base : base + "-" + n);
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        try {
          move(staged, target);
          return target;
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
          // Taken since we looked: try the next number.
        }
      }
    } catch (IOException | RuntimeException e) {
      deleteTree(staged);
      throw e;
    }
  }

  /** {@code <model>-<yyyyMMdd-HHmmss>}, the model name reduced to characters safe in file names. */
  static String directoryName(ReportInput input) {
    String model = input.modelName() == null ? "" : input.modelName()
        .replaceAll("[^A-Za-z0-9._-]", "_").replaceAll("^[.]+", "");
    return (model.isEmpty() ? "model" : model) + "-" + STAMP.format(input.createdAt());
  }

  private Path writeTo(ReportInput input, Path target) throws IOException {
    checkUnused(target);
    Path parent = target.getParent();
    Files.createDirectories(parent);
    Path staged = stage(input, parent, target.getFileName().toString());
    try {
      if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
        Files.delete(target); // empty, as checked; fails if something appeared in it since
      }
      move(staged, target);
      return target;
    } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
      deleteTree(staged);
      throw taken(target);
    } catch (IOException | RuntimeException e) {
      deleteTree(staged);
      throw e;
    }
  }

  private static void checkUnused(Path target) throws IOException {
    if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
      throw taken(target);
    }
    try (Stream<Path> entries = Files.list(target)) {
      if (entries.findAny().isPresent()) {
        throw taken(target);
      }
    }
  }

  private static IllegalArgumentException taken(Path target) {
    return new IllegalArgumentException("'" + target + "' already exists and is not an empty"
        + " directory; lrfinder does not overwrite reports, so choose another output directory.");
  }

  /** Writes every file into a new hidden directory beside the target and returns it. */
  private static Path stage(ReportInput input, Path parent, String name) throws IOException {
    Path staged = null;
    while (staged == null) {
      try {
        // Not createTempDirectory: the report should get the usual permissions, not owner-only.
        staged = Files.createDirectory(parent.resolve("." + name + ".partial-"
            + UUID.randomUUID().toString().substring(0, 8)));
      } catch (FileAlreadyExistsException e) {
        // Drawn twice: draw again.
      }
    }
    try {
      CurvesCsv.write(input, staged.resolve(CurvesCsv.FILE_NAME));
      Charts.writeAll(input, staged);
      HtmlReport.write(input, staged.resolve(HtmlReport.FILE_NAME));
      ResultJson.write(input, staged.resolve(ResultJson.FILE_NAME));
      return staged;
    } catch (IOException | RuntimeException e) {
      deleteTree(staged);
      throw e;
    }
  }

  private static void move(Path staged, Path target) throws IOException {
    try {
      Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(staged, target);
    }
  }

  /** Deletes {@code directory} and what is in it, as far as possible. */
  private static void deleteTree(Path directory) {
    try (Stream<Path> paths = Files.walk(directory)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> {
        try {
          Files.deleteIfExists(path);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException | UncheckedIOException e) {
      // Best effort: the original failure matters more than a leftover hidden directory.
    }
  }
}
