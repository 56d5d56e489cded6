package dev.lrfinder.report;

/**
 * Where a staged output registers what must still happen if the process ends while it is open
 * (delete its hidden files). The library itself never touches the JVM's shutdown: by default
 * ({@link #none()}) nothing is registered, and closing the output cleans up as usual; the CLI
 * passes one backed by a shutdown hook, so Ctrl-C leaves no hidden files behind.
 */
@FunctionalInterface
public interface ShutdownCleanup {

  /** What {@link #register} returns; closing it withdraws the last resort. */
  interface Registration extends AutoCloseable {
    /** Whether the process is shutting down (the output then stops before publishing). */
    default boolean shuttingDown() {
      return false;
    }

    @Override
    void close();
  }

  /**
   * Registers {@code lastResort} to run if the process ends before the returned registration is
   * closed.
   *
   * @param name a name for thread dumps and logs
   */
  Registration register(String name, Runnable lastResort);

  /** Registers nothing: for a library embedded in another program. */
  static ShutdownCleanup none() {
    return (name, lastResort) -> () -> {};
  }
}
