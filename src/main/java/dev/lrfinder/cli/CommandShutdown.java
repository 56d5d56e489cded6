package dev.lrfinder.cli;

import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ties a JVM shutdown (Ctrl-C, SIGTERM) to the command running in the {@code lrfinder} process:
 * the shutdown interrupts the command's thread, waits until the command has cleaned up and
 * printed its last line, and then ends the process with the command's exit code (130 when it
 * stopped for the interruption, whichever signal it was). Without this wait the JVM halts as soon
 * as the other shutdown hooks return, racing the command's last print and its clean-up.
 */
final class CommandShutdown {
  /**
   * The longest wait for the command. Longer than a ShutdownGuard's wait, so the guards' own last
   * resorts (a staged report deleting its files) have run when it runs out.
   */
  static final long WAIT_SECONDS = 20;

  private final Thread command;
  private final PrintStream out;
  private final PrintStream err;
  private final CountDownLatch done = new CountDownLatch(1);
  private volatile int exitCode = Main.INTERRUPTED;
  private volatile boolean exiting;

  private CommandShutdown(Thread command, PrintStream out, PrintStream err) {
    this.command = command;
    this.out = out;
    this.err = err;
  }

  /** Registers the shutdown hook for the command that runs on {@code command}. */
  static CommandShutdown install(Thread command, PrintStream out, PrintStream err) {
    CommandShutdown shutdown = new CommandShutdown(command, out, err);
    try {
      Runtime.getRuntime().addShutdownHook(new Thread(shutdown::onShutdown, "lrfinder-shutdown"));
    } catch (IllegalStateException signalledBeforeStart) {
      Runtime.getRuntime().halt(Main.INTERRUPTED); // nothing has run yet: nothing to clean up
    }
    return shutdown;
  }

  /** Ends the process with {@code code}, the command's exit code, once it has returned. */
  void exit(int code) {
    exitCode = code;
    exiting = true;
    done.countDown();
    out.flush();
    err.flush();
    // During a signal's shutdown this blocks, and onShutdown halts with the code set above.
    System.exit(code);
  }

  private void onShutdown() {
    if (exiting) {
      return; // the shutdown of exit(code): nothing to wait for
    }
    command.interrupt();
    boolean finished;
    try {
      finished = done.await(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      finished = false;
    }
    if (!finished) {
      err.println("lrfinder: interrupted; the command did not stop within " + WAIT_SECONDS
          + " s and was ended");
    }
    out.flush();
    err.flush();
    // Halt, not return: a signal's shutdown would end with 128 + the signal's number instead.
    Runtime.getRuntime().halt(finished ? exitCode : Main.INTERRUPTED);
  }
}
