package dev.lrfinder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.lrfinder.TestPaths;
import dev.lrfinder.report.FaultyDisk;
import dev.lrfinder.report.Charts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Ctrl-C and friends (issue 10, section 1): an interrupted {@code find} exits 130 with one
 * "interrupted" line, the model directory unchanged, and no report, no hidden {@code .partial-*}
 * staging and no batch-order file left, whether it is interrupted before it starts, while it
 * trains or while it writes the report, by {@link Thread#interrupt} in this JVM or by SIGINT or
 * SIGTERM to a separate {@code lrfinder} process.
 */
class InterruptTest {
  static final String INTERRUPTED = "lrfinder: interrupted; " + FindCommand.NOTHING_KEPT;

  @TempDir Path dir;
  private Path model;
  private String modelChecksum;

  @BeforeEach
  void copyTheModel() throws IOException {
    model = dir.resolve("model");
    try (Stream<Path> paths = Files.walk(TestPaths.model("blobs_mlp"))) {
      for (Path path : paths.toList()) {
        Files.copy(path, model.resolve(TestPaths.model("blobs_mlp").relativize(path).toString()));
      }
    }
    Files.copy(TestPaths.data("blobs_mlp"), dir.resolve("model.npz"));
    modelChecksum = MainTest.checksum(model);
  }

  /** A find that trains for minutes unless interrupted: tiny learning rates, no stop factor. */
  private String[] longFind() {
    return new String[] {"find", model.toString(), "--optimizers", "adam,sgd", "--steps", "200000",
        "--stop-factor", "off", "--end", "1e-6", "--batch-size", "32",
        "--out", dir.resolve("report").toString(), "--batch-order", dir.resolve("order.npy").toString()};
  }

  private String[] shortFind() {
    return new String[] {"find", model.toString(), "--optimizers", "adam", "--steps", "20",
        "--batch-size", "32", "--out", dir.resolve("report").toString(),
        "--batch-order", dir.resolve("order.npy").toString()};
  }

  /** The hidden staging directories exist from just before the training until the end. */
  private boolean staged() throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.anyMatch(p -> p.getFileName().toString().startsWith(".order.npy.partial-"));
    }
  }

  private void assertNothingLeftAndTheModelUnchanged(String err) throws IOException {
    List<String> lines = err.lines().toList();
    assertEquals(INTERRUPTED, lines.get(lines.size() - 1), err);
    assertEquals(modelChecksum, MainTest.checksum(model));
    try (Stream<Path> entries = Files.list(dir)) {
      assertEquals(List.of("model", "model.npz"),
          entries.map(p -> p.getFileName().toString()).sorted().toList(),
          "no report, no batch order, no staging");
    }
  }

  /** Runs {@code main} on a thread of its own, which {@code whileRunning} may interrupt. */
  private static MainTest.Run onItsOwnThread(Main main, String[] args, Interrupter whileRunning)
      throws Exception {
    AtomicReference<MainTest.Run> result = new AtomicReference<>();
    Thread thread = new Thread(() -> result.set(MainTest.run(main, args)), "find-under-test");
    thread.start();
    whileRunning.act(thread);
    thread.join(Duration.ofSeconds(120).toMillis());
    assertFalse(thread.isAlive(), "find did not end after the interrupt");
    return result.get();
  }

  @FunctionalInterface
  interface Interrupter {
    void act(Thread running) throws Exception;
  }

  @Test
  void threadInterruptWhileTraining() throws Exception {
    MainTest.Run run = onItsOwnThread(new Main(), longFind(), running -> {
      waitUntil(() -> staged() || !running.isAlive());
      Thread.sleep(500); // well into the first optimizer's 200000 steps
      running.interrupt();
    });
    assertEquals(130, run.exitCode(), run.err());
    assertTrue(run.err().contains("interrupted; the model was restored"), run.err());
    assertNothingLeftAndTheModelUnchanged(run.err());
  }

  /** find --verify: the range test done, interrupted while it trains the suggested rates. */
  @Test
  void threadInterruptWhileVerifying() throws Exception {
    String[] args = {"find", model.toString(), "--optimizers", "adam", "--steps", "100",
        "--batch-size", "32", "--verify", "1000000", "--out", dir.resolve("report").toString(),
        "--batch-order", dir.resolve("order.npy").toString()};
    MainTest.Run run = onItsOwnThread(new Main(), args, running -> {
      waitUntil(() -> staged() || !running.isAlive());
      Thread.sleep(3000); // the 100-step test takes well under a second; 1e6 verify steps, minutes
      running.interrupt();
    });
    assertEquals(130, run.exitCode(), run.err());
    // The range test had ended (its line is printed at its end), so the verification was cut.
    assertTrue(run.err().contains("100/100 steps"), run.err());
    assertTrue(run.err().lines().anyMatch(l -> l.contains("verify lr")
        && l.endsWith("interrupted; the model was restored")), run.err());
    assertNothingLeftAndTheModelUnchanged(run.err());
  }

  @Test
  void aThreadInterruptedBeforeFindStartsWritesNothing() throws Exception {
    AtomicReference<MainTest.Run> result = new AtomicReference<>();
    Thread thread = new Thread(() -> {
      Thread.currentThread().interrupt();
      result.set(MainTest.run(new Main(), shortFind()));
    }, "find-under-test");
    thread.start();
    thread.join(Duration.ofSeconds(120).toMillis());
    assertEquals(130, result.get().exitCode(), result.get().err());
    assertNothingLeftAndTheModelUnchanged(result.get().err());
  }

  @Test
  void anInterruptWhileTheReportIsWrittenLeavesNoHalfReportAndNoBatchOrder() throws Exception {
    MainTest.Run run = onItsOwnThread(new Main(FaultyDisk.interruptingAt(Charts.FILE_NAMES.get(0))),
        shortFind(), running -> {});
    assertEquals(130, run.exitCode(), run.err());
    assertNothingLeftAndTheModelUnchanged(run.err());
  }

  @ParameterizedTest(name = "{0} to a running lrfinder process")
  @ValueSource(strings = {"INT", "TERM"})
  void aSignalToARunningProcess(String signal) throws Exception {
    assumeFalse(signal.equals("INT") && ignoresSigint(), "SIGINT is ignored by this process"
        + " tree (a non-interactive shell started it in the background), so the child would"
        + " ignore it too: the JVM keeps an ignored SIGINT ignored, as nohup'd programs expect");
    Path logs = Files.createTempDirectory("lrfinder-signal-");
    try {
      List<String> command = new ArrayList<>(List.of(
          ProcessHandle.current().info().command().orElse("java"), "-cp", classPath(),
          "-Dlrfinder.home=" + TestPaths.root(), Main.class.getName()));
      command.addAll(List.of(longFind()));
      ProcessBuilder builder = new ProcessBuilder(command)
          .redirectOutput(logs.resolve("out").toFile())
          .redirectError(logs.resolve("err").toFile());
      builder.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
      Process process = builder.start();
      try {
        waitUntil(() -> staged() || !process.isAlive());
        Thread.sleep(500);
        Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid()))
            .inheritIO().start();
        assertEquals(0, kill.waitFor());
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "still running after SIG" + signal);
      } finally {
        process.destroyForcibly();
      }
      String err = Files.readString(logs.resolve("err"), StandardCharsets.UTF_8);
      assertEquals(130, process.exitValue(), err);
      assertNothingLeftAndTheModelUnchanged(err);
    } finally {
      for (String name : List.of("out", "err")) {
        Files.deleteIfExists(logs.resolve(name));
      }
      Files.delete(logs);
    }
  }

  /** Whether SIGINT (2) is in this process's ignored set ({@code SigIgn} of /proc/self/status). */
  private static boolean ignoresSigint() throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.isReadable(status)) {
      return false;
    }
    return Files.readAllLines(status).stream().filter(l -> l.startsWith("SigIgn:"))
        .map(l -> Long.parseUnsignedLong(l.substring("SigIgn:".length()).trim(), 16))
        .anyMatch(mask -> (mask & (1L << (2 - 1))) != 0);
  }

  @Test
  void aCommandThatDoesNotStopIsEndedAfterTheWaitAndLeavesNoStaging() throws Exception {
    Path logs = Files.createTempDirectory("lrfinder-hung-");
    try {
      Process process = new ProcessBuilder(ProcessHandle.current().info().command()
          .orElse("java"), "-cp", classPath(), HungCommand.class.getName(),
          dir.resolve("report").toString())
          .redirectOutput(logs.resolve("out").toFile())
          .redirectError(logs.resolve("err").toFile()).start();
      try {
        waitUntil(() -> stagedReport() || !process.isAlive());
        assertTrue(process.isAlive(), Files.readString(logs.resolve("err")));
        process.destroy(); // SIGTERM
        assertTrue(process.waitFor(CommandShutdown.WAIT_SECONDS + 30, TimeUnit.SECONDS));
      } finally {
        process.destroyForcibly();
      }
      String err = Files.readString(logs.resolve("err"), StandardCharsets.UTF_8);
      assertEquals(130, process.exitValue(), err);
      assertEquals("lrfinder: interrupted; the command did not stop within "
          + CommandShutdown.WAIT_SECONDS + " s and was ended", err.strip());
      assertFalse(stagedReport(), "the staging guard deleted the hidden directory");
    } finally {
      for (String name : List.of("out", "err")) {
        Files.deleteIfExists(logs.resolve(name));
      }
      Files.delete(logs);
    }
  }

  private boolean stagedReport() throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.anyMatch(p -> p.getFileName().toString().startsWith(".report.partial-"));
    }
  }

  /** The test class path (Surefire runs tests from a manifest-only jar that names it). */
  private static String classPath() {
    return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
  }

  @FunctionalInterface
  interface Condition {
    boolean holds() throws Exception;
  }

  private static void waitUntil(Condition condition) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (!condition.holds()) {
      assertTrue(System.nanoTime() < deadline, "timed out");
      Thread.sleep(20);
    }
  }
}
