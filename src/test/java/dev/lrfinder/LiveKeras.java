package dev.lrfinder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Keras reference numbers computed live, on this CPU with this run's kernels: one of the fixture
 * generators of {@code tools/fixtures/} run with the project venv ({@code .venv}, which {@code scripts/test}
 * creates before Maven runs) into {@code target/keras-live/NAME}. The generator inherits the
 * environment, {@code TF_ENABLE_ONEDNN_OPTS} included, so Keras and the Java side run the same
 * kind of kernels.
 *
 * <p>Without a venv (a Java-only checkout), or with {@code -Dlrfinder.liveKeras=false}, there is
 * no live reference and tests use the committed fixtures alone, to tolerances that hold across
 * machines. A venv whose generator fails fails the test: it never falls back silently.
 */
public final class LiveKeras {
  private static final long TIMEOUT_MINUTES = 10;
  /** Where the fixture generators live, relative to the project root. */
  public static final String GENERATORS = "tools/fixtures";

  private LiveKeras() {}

  /** The project venv's interpreter, when there is one and live references are wanted. */
  public static Optional<Path> python() {
    Path python = TestPaths.root().resolve(".venv/bin/python");
    if (!Boolean.parseBoolean(System.getProperty("lrfinder.liveKeras", "true"))
        || !Files.isExecutable(python)) {
      return Optional.empty();
    }
    return Optional.of(python);
  }

  /**
   * Runs {@code tools/fixtures/SCRIPT ARGS... OUT} with OUT = target/keras-live/NAME (emptied first) and
   * returns OUT, or empty when there is no venv.
   */
  public static Optional<Path> generate(String name, String script, String... args) {
    Optional<Path> python = python();
    if (python.isEmpty()) {
      System.out.printf("live keras %s: no .venv (or -Dlrfinder.liveKeras=false); committed "
          + "fixtures only%n", name);
      return Optional.empty();
    }
    Path out = TestPaths.root().resolve("target/keras-live").resolve(name);
    try {
      TestFiles.deleteTree(out);
      Files.createDirectories(out);
      List<String> command = new ArrayList<>(List.of(python.get().toString(),
          TestPaths.root().resolve(GENERATORS).resolve(script).toString()));
      command.addAll(List.of(args));
      command.add(out.toString());
      Path log = out.resolveSibling(name + ".log");
      ProcessBuilder builder = new ProcessBuilder(command).directory(TestPaths.root().toFile())
          .redirectErrorStream(true).redirectOutput(log.toFile());
      builder.environment().putIfAbsent("TF_CPP_MIN_LOG_LEVEL", "2");
      long start = System.nanoTime();
      Process process = builder.start();
      if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new IllegalStateException(script + " ran over " + TIMEOUT_MINUTES + " minutes");
      }
      if (process.exitValue() != 0) {
        List<String> lines = Files.readAllLines(log);
        throw new IllegalStateException(script + " failed (exit " + process.exitValue() + "):\n"
            + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size())));
      }
      System.out.printf("live keras %s: %s in %.1f s (TF_ENABLE_ONEDNN_OPTS=%s)%n", name, script,
          (System.nanoTime() - start) / 1e9, System.getenv("TF_ENABLE_ONEDNN_OPTS"));
      return Optional.of(out);
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + script + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + script, e);
    }
  }
}
