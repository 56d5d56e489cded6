package dev.lrfinder.rangetest;

/** What a {@link RangeTestListener} wants after a batch. */
public enum StepDecision {
  CONTINUE,
  STOP
}
