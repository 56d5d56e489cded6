package dev.lrfinder.spark;

import java.io.Serializable;

/**
 * Called in the task before its run trains: the tests' seam for failures injected into a task
 * (the product passes {@link #NONE}; nothing in the command line or the API sets another).
 */
interface TaskHook extends Serializable {
  /** No hook. */
  TaskHook NONE = new None();

  /**
   * Before run {@code index} trains, on Spark's attempt {@code attempt} (0 for the first).
   *
   * @throws RuntimeException to fail the attempt
   */
  void beforeRun(int index, int attempt);

  /** The product's hook: nothing. */
  final class None implements TaskHook {
    private static final long serialVersionUID = 1L;

    @Override
    public void beforeRun(int index, int attempt) {}

    private Object readResolve() {
      return NONE;
    }
  }
}
