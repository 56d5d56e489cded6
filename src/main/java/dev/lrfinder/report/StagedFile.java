package dev.lrfinder.report;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * One new file (e.g. {@code find --batch-order}), written in a hidden staging directory beside it
 * and linked into place only when complete: an existing file is never replaced, and a failure or
 * an interruption leaves nothing behind. {@link #create} makes the staging directory at once, so
 * an unwritable place shows before the work.
 *
 * <pre>{@code
 * try (StagedFile file = StagedFile.create(path, FileOpener.DISK)) {
 *   ... work ...
 *   file.write(out -> out.write(bytes));
 *   file.publish();
 * }
 * }</pre>
 */
public final class StagedFile implements AutoCloseable {
  /** What goes into a file. */
  @FunctionalInterface
  public interface Content {
    void writeTo(OutputStream out) throws IOException;
  }

  private final Path target;
  private final FileOpener opener;
  private final Staging staging;
  private boolean published;

  private StagedFile(Path target, FileOpener opener, Staging staging) {
    this.target = target;
    this.opener = opener;
    this.staging = staging;
  }

  /**
   * Reserves {@code target}: checks that nothing is there and creates the staging directory.
   *
   * @throws IllegalArgumentException when {@code target} exists (a dangling link included)
   * @throws OutputException when the directory takes no files
   */
  public static StagedFile create(Path target, FileOpener opener) {
    return create(target, opener, ShutdownCleanup.none());
  }

  /**
   * Reserves {@code target} as {@link #create(Path, FileOpener)} does, registering the staging
   * directory's deletion with {@code cleanup}.
   */
  public static StagedFile create(Path target, FileOpener opener, ShutdownCleanup cleanup) {
    Path file = target.toAbsolutePath().normalize();
    if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      throw exists(file);
    }
    return new StagedFile(file, opener, Staging.create(file.getParent(),
        file.getFileName().toString(), "the file", file, cleanup));
  }

  private static IllegalArgumentException exists(Path file) {
    return new IllegalArgumentException("'" + file + "' already exists; lrfinder never"
        + " overwrites files, so name a new one");
  }

  public Path target() {
    return target;
  }

  /** Writes the file in the staging directory. */
  public void write(Content content) throws InterruptedIOException {
    write(opener, staging, staging.directory().resolve(target.getFileName()), target, content);
  }

  /** Writes {@code file} through {@code opener}; failures name {@code shown}. */
  static void write(FileOpener opener, Staging staging, Path file, Path shown, Content content)
      throws InterruptedIOException {
    staging.checkNotStopped();
    try (OutputStream out = new BufferedOutputStream(opener.create(file), 1 << 16)) {
      content.writeTo(out);
    } catch (IOException e) {
      if (staging.interruption(e)) {
        InterruptedIOException interrupted = new InterruptedIOException("interrupted writing "
            + shown);
        interrupted.initCause(e);
        throw interrupted;
      }
      throw OutputException.writing(shown, e);
    }
  }

  /**
   * Puts the written file in place, without ever replacing a file that appeared there meanwhile.
   */
  public void publish() throws InterruptedIOException {
    staging.checkNotStopped();
    try {
      link(staging.directory().resolve(target.getFileName()), target);
    } catch (FileAlreadyExistsException e) {
      throw exists(target);
    } catch (IOException e) {
      throw OutputException.writing(target, e);
    }
    published = true;
    staging.published();
  }

  private static void link(Path staged, Path target) throws IOException {
    try {
      Files.createLink(target, staged); // atomic, and fails if the name is taken
    } catch (FileAlreadyExistsException e) {
      throw e;
    } catch (UnsupportedOperationException | FileSystemException noHardLinks) {
      // A file system without hard links: a move, which refuses an existing target as well.
      Files.move(staged, target);
    }
  }

  /** Takes a published file back (when what it belongs with could not be published). */
  public void retract() {
    if (published) {
      try {
        Files.deleteIfExists(target);
      } catch (IOException e) {
        // Best effort: the failure that made us retract is what the caller reports.
      }
      published = false;
    }
  }

  /** Deletes the staging directory; the published file stays. */
  @Override
  public void close() {
    staging.close();
  }
}
