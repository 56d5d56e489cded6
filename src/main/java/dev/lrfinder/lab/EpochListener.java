package dev.lrfinder.lab;

/** Follows a training run epoch by epoch (progress output); called on the training thread. */
public interface EpochListener {
  /** Before the first step: {@code epochs} planned epochs of {@code stepsPerEpoch} steps. */
  default void onStart(String optimizer, int epochs, long stepsPerEpoch) {}

  /** After each epoch, its validation and the rules included. */
  void onEpochEnd(EpochRecord epoch);
}
