package dev.lrfinder.optim;

/** Argument checks shared by the configs. */
final class Checks {
  private Checks() {}

  static double nonNegative(String name, double value) {
    if (!Double.isFinite(value) || value < 0) {
      throw new IllegalArgumentException(
          name + " must be a finite non-negative number, got " + value);
    }
    return value;
  }
}
