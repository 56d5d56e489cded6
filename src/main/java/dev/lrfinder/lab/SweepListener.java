package dev.lrfinder.lab;

/** Follows a sweep run by run and epoch by epoch (progress output); on the training thread. */
public interface SweepListener {
  /** Before run {@code index} (0-based) of {@code count}, the model just restored. */
  default void onRunStart(int index, int count, SweepRun run) {}

  /** After each epoch of run {@code index}. */
  default void onEpochEnd(int index, SweepRun run, EpochRecord epoch) {}

  /** After run {@code index}. */
  default void onRunEnd(int index, SweepRun run, TrainingResult result) {}
}
