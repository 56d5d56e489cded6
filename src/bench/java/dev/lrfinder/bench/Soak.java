package dev.lrfinder.bench;

import dev.lrfinder.data.Batches;
import dev.lrfinder.data.Dataset;
import dev.lrfinder.exported.ExportedModel;
import dev.lrfinder.model.ModelSnapshot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Memory soak: {@code steps} train steps with a snapshot/restore cycle every
 * {@code steps / cycles} steps, in one JVM, printing the resident set size every 1,000 steps and
 * the growth between step 1,000 and the end; then the time of one in-memory snapshot + restore.
 * Native memory that is not freed (an unclosed tensor or result) shows here as steady growth of
 * the resident set minus the committed Java heap; run it with a fixed heap ({@code -Xms/-Xmx},
 * as tools/bench/soak does) so that the JVM growing its heap does not hide or fake a leak.
 *
 * <p>Usage: {@code Soak <model-dir> [steps=20000] [cycles=200] [optimizer=adam]}, or
 * {@code Soak --snapshot-timing <model-dir>...} for the snapshot timing alone.
 */
public final class Soak {
  private Soak() {}

  public static void main(String[] args) throws IOException {
    if (args.length > 0 && args[0].equals("--snapshot-timing")) {
      for (String dir : Arrays.copyOfRange(args, 1, args.length)) {
        try (ExportedModel model = ExportedModel.load(Path.of(dir))) {
          System.out.println(snapshotTiming(model, 50));
        }
      }
      return;
    }
    Path dir = Path.of(args[0]);
    int steps = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
    int cycles = args.length > 2 ? Integer.parseInt(args[2]) : 200;
    String optimizer = args.length > 3 ? args[3] : "adam";
    try (ExportedModel model = ExportedModel.load(dir)) {
      Dataset train = BundledData.train(model, dir);
      Batches batches = new Batches(train, 32, true, 0);
      int cycleEvery = Math.max(1, steps / cycles);
      model.setLearningRate(optimizer, 1e-4);
      double rssAt1000 = Double.NaN;
      int cyclesDone = 0;
      long started = System.nanoTime();
      for (int step = 1; step <= steps; step++) {
        model.trainStep(optimizer, batches.get(step));
        if (step % cycleEvery == 0 && cyclesDone < cycles) {
          model.restore(model.snapshot());
          cyclesDone++;
        }
        if (step % 1000 == 0) {
          double rss = StepBenchmark.rssKiB() / 1024.0;
          if (step == 1000) {
            rssAt1000 = rss;
          }
          System.out.printf(Locale.ROOT, "step %6d  rss %7.1f MiB  java heap committed %6.1f MiB"
              + "  snapshot cycles %d%n", step, rss, heapCommittedMiB(), cyclesDone);
        }
      }
      double rssEnd = StepBenchmark.rssKiB() / 1024.0;
      System.out.printf(Locale.ROOT, "{\"model\": \"%s\", \"steps\": %d, \"snapshot_cycles\": %d,"
              + " \"seconds\": %.1f, \"rss_mib_at_1000\": %.1f, \"rss_mib_end\": %.1f,"
              + " \"growth_mib\": %.1f}%n", model.contract().modelName(), steps, cyclesDone,
          (System.nanoTime() - started) / 1e9, rssAt1000, rssEnd, rssEnd - rssAt1000);
      System.out.println(snapshotTiming(model, 50));
    }
  }

  private static double heapCommittedMiB() {
    return java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage()
        .getCommitted() / 1048576.0;
  }

  /** Median milliseconds of one in-memory snapshot and one restore, over {@code repeats}. */
  static String snapshotTiming(ExportedModel model, int repeats) {
    double[] snapshots = new double[repeats];
    double[] restores = new double[repeats];
    long bytes = 0;
    for (int i = 0; i < repeats + 5; i++) {
      long t0 = System.nanoTime();
      ModelSnapshot snapshot = model.snapshot();
      long t1 = System.nanoTime();
      model.restore(snapshot);
      long t2 = System.nanoTime();
      if (i >= 5) { // the first calls build the graph ops' kernels
        snapshots[i - 5] = (t1 - t0) / 1e6;
        restores[i - 5] = (t2 - t1) / 1e6;
      }
      bytes = ((ModelSnapshot.InMemory) snapshot).byteSize();
    }
    Arrays.sort(snapshots);
    Arrays.sort(restores);
    return String.format(Locale.ROOT, "{\"model\": \"%s\", \"parameters\": %d, \"variables\": %d,"
            + " \"snapshot_mib\": %.2f, \"snapshot_ms\": %.2f, \"restore_ms\": %.2f}",
        model.contract().modelName(), model.contract().parameterCount(),
        model.variableNames().size(), bytes / 1048576.0, snapshots[repeats / 2],
        restores[repeats / 2]);
  }
}
