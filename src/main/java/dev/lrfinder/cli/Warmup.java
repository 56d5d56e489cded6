package dev.lrfinder.cli;

import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.tensorflow.TensorFlow;

/**
 * Start-up work a command needs anyway, begun on background threads while the main thread parses
 * its arguments and reads and scans the model: loading TensorFlow's native runtime (about a second,
 * mostly the dynamic linker on one core) and, for {@code find}, the first use of the chart
 * renderer (Java2D, the fonts, XChart, the PNG writer: up to a second the first time, a tenth of
 * that afterwards). Neither touches the model or any file: the model is still scanned before any
 * of it runs. A failure here is ignored; the main thread meets it again and reports it.
 * {@link #close} waits for both, so the process never exits while a native library is loading.
 */
final class Warmup implements AutoCloseable {
  private static final long JOIN_MILLIS = 30_000;
  private final List<Thread> threads = new ArrayList<>();

  private Warmup() {}

  /** Starts what {@code command} will need ({@code find}, {@code train}, {@code inspect}). */
  static Warmup start(String command, Timing timing) {
    Warmup warmup = new Warmup();
    if ("false".equals(System.getProperty("lrfinder.warmup"))) {
      return warmup; // -Dlrfinder.warmup=false: everything on the main thread, for comparisons
    }
    boolean opensModel = command.equals("find") || command.equals("train")
        || command.equals("inspect");
    if (opensModel) {
      warmup.run("lrfinder-warmup-tensorflow", () -> {
        TensorFlow.version();
        timing.mark("tf_native_loaded");
      });
    }
    // Only where the launcher chose headless AWT: a desktop session's AWT is not started here.
    if (command.equals("find") && "true".equals(System.getProperty("java.awt.headless"))) {
      warmup.run("lrfinder-warmup-charts", () -> {
        drawChart();
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

  /** A small chart with the report's fonts, encoded as PNG in memory. */
  private static void drawChart() {
    BufferedImage image = new BufferedImage(64, 32, BufferedImage.TYPE_INT_ARGB);
    Graphics2D graphics = image.createGraphics();
    graphics.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    for (Font font : new Font[] {new Font(Font.SANS_SERIF, Font.PLAIN, 14),
        new Font(Font.SANS_SERIF, Font.BOLD, 20)}) {
      graphics.setFont(font);
      graphics.drawString("1E-7 0.5", 2, 20);
    }
    graphics.dispose();
    XYChart chart = new XYChart(240, 160);
    chart.setTitle("warm-up");
    chart.getStyler().setXAxisLogarithmic(true);
    chart.addSeries("loss", new double[] {1e-7, 1e-3, 10}, new double[] {2.3, 1.5, 4.0});
    // in memory, as the report does: ImageIO's default cache is a temporary file
    try (ImageOutputStream out = new MemoryCacheImageOutputStream(new ByteArrayOutputStream())) {
      ImageIO.write(BitmapEncoder.getBufferedImage(chart), "png", out);
    } catch (IOException e) {
      // an in-memory stream does not fail; the report writer reports real failures
    }
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
