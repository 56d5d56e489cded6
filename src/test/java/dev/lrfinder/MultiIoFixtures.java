package dev.lrfinder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Optional;

/**
 * The Keras models of contract v2's tests (two inputs with a string input, two outputs with loss
 * weights, a CSV read by column name), built and exported by {@code
 * scripts/make_multiio_fixtures.py} with this checkout's {@code scripts/export.py} into {@code
 * target/keras-live/multiio}. They take a minute or two to build, so a complete build is reused
 * while it is newer than both scripts; without a venv there are none and the tests that need
 * them are skipped.
 */
public final class MultiIoFixtures {
  private static final String NAME = "multiio";
  private static final String SCRIPT = "make_multiio_fixtures.py";
  private static final String DONE = "complete";

  private MultiIoFixtures() {}

  /** The folder of the exported models and their data, or empty when there is no venv. */
  public static Optional<Path> dir() {
    if (LiveKeras.python().isEmpty()) {
      return LiveKeras.generate(NAME, SCRIPT); // says why there is none
    }
    Path out = TestPaths.root().resolve("target/keras-live").resolve(NAME);
    if (isFresh(out)) {
      return Optional.of(out);
    }
    Path built = LiveKeras.generate(NAME, SCRIPT).orElseThrow();
    try {
      Files.writeString(built.resolve(DONE), "built by " + SCRIPT + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Optional.of(built);
  }

  private static boolean isFresh(Path out) {
    Path done = out.resolve(DONE);
    if (!Files.isRegularFile(done)) {
      return false;
    }
    try {
      FileTime built = Files.getLastModifiedTime(done);
      for (String script : List.of(SCRIPT, "export.py")) {
        if (Files.getLastModifiedTime(TestPaths.root().resolve("scripts").resolve(script))
            .compareTo(built) > 0) {
          return false;
        }
      }
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
