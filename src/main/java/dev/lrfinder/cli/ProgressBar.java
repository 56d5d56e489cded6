package dev.lrfinder.cli;

import dev.lrfinder.rangetest.OptimizerCurve;
import dev.lrfinder.rangetest.RangeTestListener;
import dev.lrfinder.rangetest.StepDecision;
import dev.lrfinder.rangetest.StepEvent;
import dev.lrfinder.rangetest.StopReason;
import java.io.PrintStream;

/**
 * Shows a range test's progress on stderr: a bar redrawn in place on a terminal, or one line per
 * optimizer when the output is a file or a pipe (CI logs).
 */
final class ProgressBar implements RangeTestListener {
  private static final int WIDTH = 30;
  private final PrintStream err;
  private final boolean terminal;
  private String optimizer;
  private long planned;
  private long lastDrawnMillis;

  ProgressBar(PrintStream err, boolean terminal) {
    this.err = err;
    this.terminal = terminal;
  }

  @Override
  public void onStart(String optimizer, long plannedSteps) {
    this.optimizer = optimizer;
    this.planned = plannedSteps;
    this.lastDrawnMillis = 0;
  }

  @Override
  public StepDecision onStep(StepEvent event) {
    long step = event.step();
    long now = System.currentTimeMillis();
    if (terminal && (now - lastDrawnMillis >= 100 || step + 1 == planned)) {
      lastDrawnMillis = now;
      int filled = (int) (WIDTH * (step + 1) / Math.max(1, planned));
      err.printf("\r%-14s [%s%s] %5d/%d  lr %.2e  loss %.4f ", optimizer, "#".repeat(filled),
          ".".repeat(WIDTH - filled), step + 1, planned, event.learningRate(),
          event.smoothedLoss());
      err.flush();
    }
    return StepDecision.CONTINUE;
  }

  @Override
  public void onVerifyStart(String optimizer, double learningRate, long steps) {
    onStart(optimizer + String.format(java.util.Locale.ROOT, " %.2g", learningRate), steps);
  }

  @Override
  public void onVerifyEnd(String optimizer, double learningRate, int stepsRun,
      double heldOutLoss, StopReason stopReason) {
    if (terminal) {
      err.print("\r" + " ".repeat(WIDTH + 60) + "\r");
    }
    String outcome = Double.isNaN(heldOutLoss) ? stopReason.description()
        : String.format(java.util.Locale.ROOT, "held-out loss %.4g", heldOutLoss);
    err.printf(java.util.Locale.ROOT, "%-14s verify lr %.2g: %d/%d steps, %s%n", optimizer,
        learningRate, stepsRun, planned, outcome);
  }

  @Override
  public void onEnd(OptimizerCurve curve) {
    if (terminal) {
      err.print("\r" + " ".repeat(WIDTH + 60) + "\r");
    }
    err.printf("%-14s %d/%d steps, %s, %.1f s%n", curve.optimizer(), curve.stepsRun(),
        curve.plannedSteps(), curve.stopReason().description(), curve.seconds());
  }
}
