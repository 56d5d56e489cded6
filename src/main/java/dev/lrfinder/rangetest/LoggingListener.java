package dev.lrfinder.rangetest;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A listener preset that logs a range test through SLF4J: the start and end of each optimizer's
 * run at INFO, every {@code every}-th step at INFO and the others at DEBUG. It never stops a run.
 */
public final class LoggingListener implements RangeTestListener {
  private final Logger logger;
  private final long every;

  /** Logs to {@code logger}, a step at INFO every {@code every} steps (and the first). */
  public LoggingListener(Logger logger, long every) {
    if (every <= 0) {
      throw new IllegalArgumentException("every must be positive, got " + every);
    }
    this.logger = logger;
    this.every = every;
  }

  /** Logs to the logger {@code dev.lrfinder.rangetest.RangeTest}, a step at INFO every 10. */
  public LoggingListener() {
    this(LoggerFactory.getLogger(RangeTest.class), 10);
  }

  @Override
  public void onStart(String optimizer, long plannedSteps) {
    logger.info("range test of {}: {} steps planned", optimizer, plannedSteps);
  }

  @Override
  public StepDecision onStep(StepEvent event) {
    boolean info = event.step() % every == 0;
    if (info ? logger.isInfoEnabled() : logger.isDebugEnabled()) {
      String format = "{} step {}: lr {} loss {} smoothed {}{}";
      Object[] args = {event.optimizer(), event.step(), event.learningRate(), event.loss(),
          event.smoothedLoss(), event.metrics().isEmpty() ? "" : " " + event.metrics()};
      if (info) {
        logger.info(format, args);
      } else {
        logger.debug(format, args);
      }
    }
    return StepDecision.CONTINUE;
  }

  @Override
  public void onEnd(OptimizerCurve curve) {
    logger.info("range test of {}: {}/{} steps, {}, {} s", curve.optimizer(), curve.stepsRun(),
        curve.plannedSteps(), curve.stopReason().description(),
        String.format(java.util.Locale.ROOT, "%.1f", curve.seconds()));
  }
}
