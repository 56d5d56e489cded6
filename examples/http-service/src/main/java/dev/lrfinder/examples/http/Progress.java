package dev.lrfinder.examples.http;

/**
 * Where a running job is: the optimizer under test and its last step.
 *
 * @param optimizer the optimizer key being tested, or null before the first one starts
 * @param plannedSteps the steps planned for that optimizer (0 before it starts)
 * @param step the last finished step of that optimizer, 0-based; -1 before its first step
 * @param learningRate the rate of that step (NaN before the first step)
 * @param loss the raw loss of that step (NaN before the first step)
 */
public record Progress(String optimizer, long plannedSteps, long step, double learningRate,
    double loss) {
  /** Before any optimizer starts. */
  static final Progress NOT_STARTED = new Progress(null, 0, -1, Double.NaN, Double.NaN);

  /** {@code optimizer} started, no step done yet. */
  static Progress started(String optimizer, long plannedSteps) {
    return new Progress(optimizer, plannedSteps, -1, Double.NaN, Double.NaN);
  }
}
