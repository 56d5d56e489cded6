package dev.lrfinder.report;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The hidden directory {@code .<name>.partial-<random>} beside the place an output goes, where it
 * is written before it is published. Created at once, so a place that takes no files shows before
 * any work is done. Closing it deletes it, and, when nothing was published, the parent
 * directories created for it; with a {@link ShutdownCleanup} that runs at a JVM shutdown (the
 * CLI's), a shutdown that the owner does not answer in time deletes them as well, so no signal
 * leaves hidden files behind.
 */
final class Staging implements AutoCloseable {
  private final Path directory;
  private final List<Path> createdParents;
  private final ShutdownCleanup.Registration guard;
  private volatile boolean published;

  private Staging(Path directory, List<Path> createdParents, ShutdownCleanup cleanup) {
    this.directory = directory;
    this.createdParents = List.copyOf(createdParents);
    this.guard = cleanup.register("lrfinder-staging-shutdown", this::discard);
  }

  /**
   * Creates {@code parent} (with its missing parents) and the hidden directory for {@code name}
   * in it.
   *
   * @param what the output in words, for messages: "the report to"
   * @param shown the path the user asked for, for messages
   * @param cleanup where the staging registers its deletion for a shutdown
   * @throws OutputException naming {@code shown} and the cause when the place takes no files
   */
  static Staging create(Path parent, String name, String what, Path shown,
      ShutdownCleanup cleanup) {
    List<Path> created = createParents(parent, what, shown);
    try {
      while (true) {
        Path directory = parent.resolve("." + name + ".partial-"
            + UUID.randomUUID().toString().substring(0, 8));
        try {
          // Not createTempDirectory: the output should get the usual permissions, not owner-only.
          return new Staging(Files.createDirectory(directory), created, cleanup);
        } catch (FileAlreadyExistsException drawnTwice) {
          // Draw again.
        }
      }
    } catch (IOException e) {
      deleteEmpty(created);
      throw OutputException.creating(what, shown, e);
    }
  }

  private static List<Path> createParents(Path parent, String what, Path shown) {
    Path existing = parent;
    List<Path> missing = new ArrayList<>();
    while (existing != null && !Files.exists(existing)) {
      missing.add(0, existing);
      existing = existing.getParent();
    }
    if (existing != null && !Files.isDirectory(existing)) {
      throw new OutputException("cannot write " + what + " '" + shown + "': '" + existing
          + "' is not a directory", null);
    }
    List<Path> created = new ArrayList<>();
    for (Path dir : missing) {
      try {
        created.add(Files.createDirectory(dir));
      } catch (FileAlreadyExistsException e) {
        if (!Files.isDirectory(dir)) {
          deleteEmpty(created);
          throw OutputException.creating(what, shown, e);
        } // else made meanwhile by someone else: not ours to delete
      } catch (IOException e) {
        deleteEmpty(created);
        throw OutputException.creating(what, shown, e);
      }
    }
    return created;
  }

  Path directory() {
    return directory;
  }

  /** Throws when the JVM is shutting down or this thread was interrupted. */
  void checkNotStopped() throws InterruptedIOException {
    if (stopRequested()) {
      throw new InterruptedIOException("interrupted before the output was published");
    }
  }

  /** Whether {@code e} means the work was interrupted rather than the disk failing. */
  boolean interruption(IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof InterruptedIOException || t instanceof ClosedByInterruptException) {
        return true;
      }
    }
    return stopRequested();
  }

  private boolean stopRequested() {
    return guard.shuttingDown() || Thread.currentThread().isInterrupted();
  }

  /** The output is in place: the parent directories stay. */
  void published() {
    published = true;
  }

  @Override
  public void close() {
    discard();
    guard.close();
  }

  private void discard() {
    deleteTree(directory);
    if (!published) {
      deleteEmpty(createdParents);
    }
  }

  /** Deletes {@code dirs}, deepest first, as far as they are empty. */
  private static void deleteEmpty(List<Path> dirs) {
    for (int i = dirs.size() - 1; i >= 0; i--) {
      try {
        Files.deleteIfExists(dirs.get(i));
      } catch (IOException notEmptyOrGone) {
        return; // someone else's files are in it now: keep it and what is above it
      }
    }
  }

  /** Deletes {@code root} and what is in it (links are deleted, not followed), as far as possible. */
  static void deleteTree(Path root) {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        try {
          Files.deleteIfExists(path);
        } catch (IOException e) {
          // Best effort: go on with the rest.
        }
      }
    } catch (IOException | RuntimeException e) {
      // Best effort: the original failure matters more than a leftover hidden directory.
    }
  }
}
