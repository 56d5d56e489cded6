package dev.lrfinder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Optional;

/**
 * Keras models built and exported by a generator of {@code tools/fixtures/} with this checkout's
 * {@code scripts/export.py}, into {@code target/keras-live/NAME}. They take a minute or so to build, so a
 * complete build is reused while it is newer than its scripts; without a venv there are none and
 * the tests that need them are skipped.
 *
 * @param name the folder under target/keras-live
 * @param script the generator, run as {@code tools/fixtures/SCRIPT OUT}
 * @param inputs the other generators of tools/fixtures (besides the script) whose change makes the build stale
 */
public record BuiltFixtures(String name, String script, List<String> inputs) {
  private static final String DONE = "complete";

  /**
   * The models of contract v2's Java tests (two inputs with a string input, two outputs with loss
   * weights, a CSV read by column name): {@code tools/fixtures/make_multiio_fixtures.py}.
   */
  public static final BuiltFixtures MULTI_IO = new BuiltFixtures("multiio",
      "make_multiio_fixtures.py", List.of());

  /**
   * One synthetic model per feature of the compatibility matrix, exported:
   * {@code tools/fixtures/export_compat_fixtures.py} over {@code tools/fixtures/make_compat_fixtures.py}.
   */
  public static final BuiltFixtures COMPAT = new BuiltFixtures("compat",
      "export_compat_fixtures.py", List.of("make_compat_fixtures.py"));

  /** The folder of the exported models and their data, or empty when there is no venv. */
  public Optional<Path> dir() {
    if (LiveKeras.python().isEmpty()) {
      return LiveKeras.generate(name, script); // says why there is none
    }
    Path out = TestPaths.root().resolve("target/keras-live").resolve(name);
    if (isFresh(out)) {
      return Optional.of(out);
    }
    Path built = LiveKeras.generate(name, script).orElseThrow();
    try {
      Files.writeString(built.resolve(DONE), "built by " + script + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Optional.of(built);
  }

  private boolean isFresh(Path out) {
    Path done = out.resolve(DONE);
    if (!Files.isRegularFile(done)) {
      return false;
    }
    try {
      FileTime built = Files.getLastModifiedTime(done);
      for (Path file : sources()) {
        if (Files.getLastModifiedTime(file).compareTo(built) > 0) {
          return false;
        }
      }
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The files whose change makes a build stale: the generators and the exporter they call. */
  private List<Path> sources() {
    Path generators = TestPaths.root().resolve(LiveKeras.GENERATORS);
    return java.util.stream.Stream.concat(
        java.util.stream.Stream.concat(java.util.stream.Stream.of(script), inputs.stream())
            .map(generators::resolve),
        java.util.stream.Stream.of(TestPaths.root().resolve("scripts/export.py"))).toList();
  }
}
