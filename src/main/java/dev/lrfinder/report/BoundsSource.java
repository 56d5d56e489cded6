package dev.lrfinder.report;

import java.util.Objects;

/**
 * Where a training run's cyclical bounds came from: a {@code find} report's {@code cyclical_base}
 * and {@code cyclical_max} for one optimizer (seed 002's flow: find the bounds, then train with a
 * cyclical rate between them). The training report shows it in its "Bounds from" section and in
 * {@code training.json}'s {@code bounds_from}.
 *
 * @param report the find report, as the user named it (a directory), or a relative path
 * @param href the link to the find report's page from the training report's page
 * @param model the model the range test ran on, as the find report names it
 * @param optimizer the optimizer whose bounds these are
 * @param base the base (lower) bound, the schedule's {@code min}
 * @param max the upper bound, the schedule's {@code max}
 * @param baseNote why the range test put the base there
 * @param maxNote why the range test put the maximum there
 * @param rangeTest the range test's settings in words ("100 steps from 1e-07 to 10, ...")
 */
public record BoundsSource(String report, String href, String model, String optimizer,
    double base, double max, String baseNote, String maxNote, String rangeTest) {
  public BoundsSource {
    Objects.requireNonNull(report, "report");
    Objects.requireNonNull(optimizer, "optimizer");
    if (!(base > 0 && max > base && Double.isFinite(max))) {
      throw new IllegalArgumentException("cyclical bounds need 0 < base < max, got " + base
          + " and " + max);
    }
    href = href == null ? "" : href;
    model = model == null ? "" : model;
    baseNote = baseNote == null ? "" : baseNote;
    maxNote = maxNote == null ? "" : maxNote;
    rangeTest = rangeTest == null ? "" : rangeTest;
  }
}
