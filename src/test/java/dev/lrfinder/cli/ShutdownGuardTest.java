package dev.lrfinder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ShutdownGuardTest {
  /**
   * A signal can arrive between creating what a guard protects and creating the guard: the JVM
   * then refuses new hooks. The guard must not throw; it tells the work to stop and runs its last
   * resort at once. Run in a JVM of its own, whose normal exit is the shutdown.
   */
  @Test
  void aGuardMadeDuringAShutdownStopsTheWorkAndRunsItsLastResort() throws Exception {
    Process process = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
        "-cp", System.getProperty("java.class.path"), GuardDuringShutdown.class.getName())
        .redirectErrorStream(true).start();
    assertTrue(process.waitFor(60, TimeUnit.SECONDS));
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, process.exitValue(), output);
    assertEquals("last resort ran\nstop requested: true\n", output);
  }

  /** Makes a guard from a shutdown hook, when no hook may be added any more. */
  static final class GuardDuringShutdown {
    public static void main(String[] args) {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        ShutdownGuard guard = new ShutdownGuard("late", () -> System.out.println("last resort ran"));
        System.out.println("stop requested: " + guard.stopRequested());
        guard.close();
      }));
    }
  }

  @Test
  void aGuardSeesTheInterruptOfItsThreadAndNotOfOthers() throws InterruptedException {
    try (ShutdownGuard guard = new ShutdownGuard()) {
      assertFalse(guard.stopRequested());
      AtomicReference<Boolean> seen = new AtomicReference<>();
      Thread other = new Thread(() -> {
        Thread.currentThread().interrupt();
        seen.set(guard.stopRequested());
      });
      other.start();
      other.join();
      assertTrue(seen.get());
      assertFalse(guard.stopRequested(), "another thread's interrupt is not this one's");
    }
  }
}
