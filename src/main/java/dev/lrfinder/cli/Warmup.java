package dev.lrfinder.cli;

import dev.lrfinder.report.ReportWarmup;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.TensorFlow;

/**
 * Start-up work a command needs anyway, begun on background threads while the main thread parses
 * its arguments and reads and scans the model: loading TensorFlow's native runtime (about a second,
 * mostly the dynamic linker on one core) and, for {@code find}, the first use of what the report
 * needs ({@link ReportWarmup}: Java2D, the fonts, XChart, the PNG and SVG writers, the page's
 * template, Jackson: up to a second the first time, a tenth of that afterwards). Neither touches
 * the model or any file: the model is still scanned before any of it runs. A failure here is
 * ignored; the main thread meets it again and reports it.
 * {@link #close} waits for both, so the process never exits while a native library is loading.
 */
final class Warmup implements AutoCloseable {
  private static final long JOIN_MILLIS = 30_000;
  private final List<Thread> threads = new ArrayList<>();

  private Warmup() {}

  /**
   * Starts what {@code command} will need ({@code find}, {@code train}, {@code inspect},
   * {@code sweep}, {@code experiment}).
   */
  static Warmup start(String command, Timing timing) {
    Warmup warmup = new Warmup();
    if ("false".equals(System.getProperty("lrfinder.warmup"))) {
      return warmup; // -Dlrfinder.warmup=false: everything on the main thread, for comparisons
    }
    boolean opensModel = command.equals("find") || command.equals("train")
        || command.equals("inspect") || command.equals("sweep") || command.equals("experiment");
    if (opensModel) {
      warmup.run("lrfinder-warmup-tensorflow", () -> {
        TensorFlow.version();
        timing.mark("tf_native_loaded");
      });
    }
    // Only where the launcher chose headless AWT: a desktop session's AWT is not started here.
    if (command.equals("find") && "true".equals(System.getProperty("java.awt.headless"))) {
      warmup.run("lrfinder-warmup-charts", () -> {
        ReportWarmup.run();
        timing.mark("charts_warm");
      });
    }
    return warmup;
  }

  private void run(String name, Runnable work) {
    Thread thread = new Thread(() -> {
      try {
        work.run();
      } catch (RuntimeException | LinkageError e) {
        // the command meets the same failure where it needs the thing, and reports it there
      }
    }, name);
    thread.setDaemon(true);
    threads.add(thread);
    thread.start();
  }

  /** Waits for the background work (it is short; on an early error exit it is still running). */
  @Override
  public void close() {
    for (Thread thread : threads) {
      try {
        thread.join(JOIN_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
