package dev.lrfinder.cli;

import dev.lrfinder.report.ShutdownCleanup;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The CLI's JVM shutdown hook for one piece of work: while open, a shutdown (Ctrl-C, SIGTERM)
 * asks the work to stop and waits, up to {@link #WAIT_SECONDS}, until that work has closed the
 * guard (a staged report once its hidden files are gone). When the work does not close the guard
 * in time, the guard runs its own last resort (a staged report deletes its files) before the
 * shutdown goes on. Only the CLI installs hooks: the library's staged outputs reach this class
 * through {@link #CLEANUP}, and the range test is stopped by the interrupt that
 * {@link CommandShutdown} sends the command's thread.
 */
final class ShutdownGuard implements ShutdownCleanup.Registration {
  /** Staged outputs' last resorts as guards with a JVM shutdown hook each. */
  static final ShutdownCleanup CLEANUP = ShutdownGuard::new;

  /** How long a shutdown waits for the guarded work; the CLI waits longer (CommandShutdown). */
  public static final long WAIT_SECONDS = 10;
  private final CountDownLatch closed = new CountDownLatch(1);
  private final Thread hook;
  private volatile boolean shuttingDown;

  /** A guard whose shutdown only waits. */
  ShutdownGuard() {
    this("lrfinder-shutdown-guard", () -> {});
  }

  /**
   * @param name the name of the hook thread, for thread dumps
   * @param ifStillOpen what the shutdown does when the guard is still open after the wait
   */
  ShutdownGuard(String name, Runnable ifStillOpen) {
    hook = new Thread(() -> {
      shuttingDown = true;
      try {
        if (!closed.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
          ifStillOpen.run();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, name);
    try {
      Runtime.getRuntime().addShutdownHook(hook);
    } catch (IllegalStateException shutdownInProgress) {
      // The signal came before the guard: no hook can wait any more, so the work is told to stop
      // at once and the last resort runs now, as it would after an unanswered wait.
      shuttingDown = true;
      ifStillOpen.run();
    }
  }

  /** Whether the JVM is shutting down or the calling thread was interrupted. */
  boolean stopRequested() {
    return shuttingDown || Thread.currentThread().isInterrupted();
  }

  @Override
  public boolean shuttingDown() {
    return shuttingDown;
  }

  /** Call once the guarded work is cleaned up: releases a waiting shutdown. */
  @Override
  public void close() {
    closed.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // The hook is running and now returns.
    }
  }
}
