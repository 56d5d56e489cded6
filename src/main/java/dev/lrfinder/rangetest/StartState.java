package dev.lrfinder.rangetest;

import dev.lrfinder.model.ModelSnapshot;
import dev.lrfinder.model.TrainableModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The state every optimizer's run starts from: in Java memory, or in a checkpoint inside a fresh
 * temporary directory of its own (so parallel runs never share files), deleted on close.
 */
final class StartState implements AutoCloseable {
  private final ModelSnapshot snapshot;
  private final Path directory;

  private StartState(ModelSnapshot snapshot, Path directory) {
    this.snapshot = snapshot;
    this.directory = directory;
  }

  static StartState of(TrainableModel model, boolean onDisk) {
    if (!onDisk) {
      return new StartState(model.snapshot(), null);
    }
    try {
      Path directory = Files.createTempDirectory("lrfinder-start-");
      try {
        return new StartState(model.snapshotToDisk(directory.resolve("start")), directory);
      } catch (RuntimeException e) {
        delete(directory);
        throw e;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory for the snapshot", e);
    }
  }

  ModelSnapshot snapshot() {
    return snapshot;
  }

  @Override
  public void close() {
    if (directory != null) {
      delete(directory);
    }
  }

  private static void delete(Path directory) {
    try (Stream<Path> paths = Files.walk(directory)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + directory, e);
    }
  }
}
