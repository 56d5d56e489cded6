package dev.lrfinder.rangetest;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * While open, a JVM shutdown (Ctrl-C, SIGTERM) asks the work it guards to stop and waits, up to
 * {@link #WAIT_SECONDS}, until that work has closed the guard: the range test closes it once the
 * model is restored (so an embedding service shutting down never keeps a half-trained model in
 * memory it might still save from another hook), a staged report once its hidden files are gone.
 * When the work does not close the guard in time, the guard runs its own last resort (a staged
 * report deletes its files) before the shutdown goes on.
 */
public final class ShutdownGuard implements AutoCloseable {
  /** How long a shutdown waits for the guarded work; the CLI waits longer (CommandShutdown). */
  public static final long WAIT_SECONDS = 10;
  private final CountDownLatch closed = new CountDownLatch(1);
  private final Thread hook;
  private volatile boolean shuttingDown;

  /** A guard whose shutdown only waits (the range test's). */
  ShutdownGuard() {
    this("lrfinder-range-test-shutdown", () -> {});
  }

  /**
   * @param name the name of the hook thread, for thread dumps
   * @param ifStillOpen what the shutdown does when the guard is still open after the wait
   */
  public ShutdownGuard(String name, Runnable ifStillOpen) {
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
  public boolean stopRequested() {
    return shuttingDown || Thread.currentThread().isInterrupted();
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
