package dev.lrfinder.rangetest;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * While open, a JVM shutdown (Ctrl-C, SIGTERM) asks the running range test to stop and waits, up
 * to a limit, until it has restored the model, so an embedding service shutting down never keeps
 * a half-trained model in memory it might still save from another hook.
 */
final class ShutdownGuard implements AutoCloseable {
  private static final long WAIT_SECONDS = 10;
  private final CountDownLatch restored = new CountDownLatch(1);
  private final Thread hook;
  private volatile boolean shuttingDown;

  ShutdownGuard() {
    hook = new Thread(() -> {
      shuttingDown = true;
      try {
        restored.await(WAIT_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "lrfinder-range-test-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** Whether the JVM is shutting down or the running thread was interrupted. */
  boolean stopRequested() {
    return shuttingDown || Thread.currentThread().isInterrupted();
  }

  /** Call once the model is restored: releases a waiting shutdown. */
  @Override
  public void close() {
    restored.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // The hook is running and now returns.
    }
  }
}
