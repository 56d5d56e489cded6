package dev.lrfinder.rangetest;

/**
 * Called by {@link RangeTest} around each optimizer's run, on the thread that runs it. Every
 * method has a no-op default, so implement only what you need (like DJL's TrainingListener
 * adapter). Exceptions thrown here end the run; the model is restored all the same.
 * {@link LoggingListener} is a ready-made one that logs through SLF4J.
 */
public interface RangeTestListener {

  /** Before the first step of {@code optimizer}; {@code plannedSteps} is the number of steps. */
  default void onStart(String optimizer, long plannedSteps) {}

  /**
   * After every step whose loss was finite (a non-finite loss ends the run without this call).
   *
   * @return {@link StepDecision#STOP} to end this optimizer's run after this step
   */
  default StepDecision onStep(StepEvent event) {
    return StepDecision.CONTINUE;
  }

  /** After the run of one optimizer, with its curve (the model is already restored). */
  default void onEnd(OptimizerCurve curve) {}

  /**
   * Before a {@link Verification} run: {@code steps} steps of {@code optimizer} at the constant
   * {@code learningRate}. Its steps then come to {@link #onStep} like a range test's.
   */
  default void onVerifyStart(String optimizer, double learningRate, long steps) {}

  /**
   * After a {@link Verification} run (the model is already restored).
   *
   * @param heldOutLoss the held-out loss after the run; NaN when not measured
   */
  default void onVerifyEnd(String optimizer, double learningRate, int stepsRun,
      double heldOutLoss, StopReason stopReason) {}
}
