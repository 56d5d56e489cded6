package dev.lrfinder.report;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Creates the files of a report or of another output and opens them for writing; the seam where
 * tests put a full disk in the way.
 */
@FunctionalInterface
public interface FileOpener {
  /** Files on disk, each created new: an existing file makes it fail, it is never replaced. */
  FileOpener DISK = file -> Files.newOutputStream(file, StandardOpenOption.CREATE_NEW,
      StandardOpenOption.WRITE);

  /** Creates {@code file}, which must not exist yet, and opens it for writing. */
  OutputStream create(Path file) throws IOException;
}
