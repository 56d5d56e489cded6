package dev.lrfinder.schedule;

import java.util.Locale;

/**
 * Smith's cyclical learning rate (Smith 2017, section 3.1; the formulas of bckenstler/CLR's
 * {@code clr_callback.py}, which PyImageSearch's seed 002 uses), with {@code it} the number of
 * updates done before this one and {@code step} the half-cycle in updates:
 * {@code cycle = floor(1 + it / (2 step))}, {@code x = |it / step - 2 cycle + 1|},
 * {@code lr = min + (max - min) * max(0, 1 - x) * scale}, where scale is 1 (triangular),
 * {@code 1 / 2^(cycle - 1)} (triangular2) or {@code gamma^it} (exp_range). The first update
 * trains at {@code min}, update {@code step} at {@code max}.
 */
public record Cyclical(Mode mode, double min, double max, long step, double gamma)
    implements Schedule {

  /** How the amplitude shrinks. */
  public enum Mode {
    /** Scale 1. */
    TRIANGULAR,
    /** The amplitude halves every cycle. */
    TRIANGULAR2,
    /** The amplitude scales by {@code gamma^iteration}. */
    EXP_RANGE;

    /** The spec name: {@code triangular}, {@code triangular2}, {@code exp_range}. */
    public String specName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public Cyclical {
    if (mode == null) {
      throw new IllegalArgumentException("a cyclical schedule needs a mode");
    }
    Checks.rate("min", min);
    Checks.rate("max", max);
    if (max < min) {
      throw new IllegalArgumentException("max (" + max + ") must be >= min (" + min + ")");
    }
    Checks.atLeast("step", step, 1);
    if (!(gamma > 0 && gamma <= 1)) {
      throw new IllegalArgumentException("gamma must lie in (0, 1], got " + gamma);
    }
  }

  @Override
  public double learningRate(long iteration, int epoch) {
    double cycle = Math.floor(1 + iteration / (2.0 * step));
    double x = Math.abs((double) iteration / step - 2 * cycle + 1);
    double scale = switch (mode) {
      case TRIANGULAR -> 1;
      case TRIANGULAR2 -> 1 / Math.pow(2, cycle - 1);
      case EXP_RANGE -> Math.pow(gamma, iteration);
    };
    return min + (max - min) * Math.max(0, 1 - x) * scale;
  }

  @Override
  public String describe() {
    return mode.specName() + " cyclical " + Checks.num(min) + " .. " + Checks.num(max)
        + ", half-cycle " + step + " iterations"
        + (mode == Mode.EXP_RANGE ? ", gamma " + Checks.num(gamma) : "");
  }
}
