package dev.lrfinder.rangetest;

import java.util.List;

/**
 * Everything a range test measured: its settings, the plan, and one curve per optimizer, all run
 * from the same start state on the same batch order.
 */
public record RangeTestResult(
    RangeTestConfig config,
    long plannedSteps,
    long stepsPerEpoch,
    long trainRows,
    List<OptimizerCurve> curves) implements java.io.Serializable {

  public RangeTestResult {
    curves = List.copyOf(curves);
  }

  /** The warm-up window this run used: the config's skip, resolved for the planned steps. */
  public int skipBegin() {
    return config.skipBeginFor(plannedSteps);
  }

  public OptimizerCurve curve(String optimizer) {
    return curves.stream().filter(c -> c.optimizer().equals(optimizer)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no curve for optimizer '" + optimizer + "'"));
  }
}
