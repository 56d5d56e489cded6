package dev.lrfinder.spark;

import dev.lrfinder.lab.LoadedSweep;
import dev.lrfinder.lab.SweepJob;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The models an executor JVM has open, kept for the next task of the same sweep inputs.
 *
 * <p>This is lrfinder's one piece of static mutable state, and it has to be: a Spark task is a
 * deserialized closure with nowhere else to keep a model between tasks, and opening one (reading
 * the SavedModel, the safety scan, building the graph, loading the data) costs more than a short
 * run. Each open model is lent to one task at a time ({@link #borrow}, {@link #giveBack}); a task
 * that finds every model of its inputs busy (local[2] runs two tasks at once in one JVM, an
 * executor with several cores the same) opens another. A model whose run failed is closed, not
 * kept. {@link #closeAll} closes every idle model (the driver calls it after a local-mode job,
 * whose executor is its own JVM); a cluster's executors close theirs when they exit.
 */
final class ExecutorModels {
  private static final Map<SweepJob.Inputs, Deque<LoadedSweep>> IDLE = new HashMap<>();
  private static final List<LoadedSweep> LENT = new ArrayList<>();

  private ExecutorModels() {}

  /** An idle model of {@code inputs}, or a newly opened one; the caller has it alone. */
  static LoadedSweep borrow(SweepJob.Inputs inputs) {
    synchronized (IDLE) {
      Deque<LoadedSweep> idle = IDLE.get(inputs);
      if (idle != null && !idle.isEmpty()) {
        LoadedSweep loaded = idle.pop();
        LENT.add(loaded);
        return loaded;
      }
    }
    // Opened outside the lock: another task may open or borrow meanwhile.
    LoadedSweep opened = LoadedSweep.open(inputs);
    synchronized (IDLE) {
      LENT.add(opened);
    }
    return opened;
  }

  /** Takes back a model whose run ended normally, for the next task. */
  static void giveBack(LoadedSweep loaded) {
    synchronized (IDLE) {
      LENT.remove(loaded);
      IDLE.computeIfAbsent(loaded.inputs(), k -> new ArrayDeque<>()).push(loaded);
    }
  }

  /** Closes a model whose run failed: its state is not to be trusted for another run. */
  static void discard(LoadedSweep loaded) {
    synchronized (IDLE) {
      LENT.remove(loaded);
    }
    loaded.close();
  }

  /** How many models are open here, idle or lent (for tests and the benchmark). */
  static int open() {
    synchronized (IDLE) {
      return LENT.size() + IDLE.values().stream().mapToInt(Deque::size).sum();
    }
  }

  /** Closes every idle model; models lent to running tasks stay theirs. */
  static void closeAll() {
    List<LoadedSweep> idle = new ArrayList<>();
    synchronized (IDLE) {
      IDLE.values().forEach(idle::addAll);
      IDLE.clear();
    }
    idle.forEach(LoadedSweep::close);
  }
}
