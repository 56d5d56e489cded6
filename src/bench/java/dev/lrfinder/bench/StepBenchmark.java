package dev.lrfinder.bench;

import dev.lrfinder.data.Batches;
import dev.lrfinder.data.Dataset;
import dev.lrfinder.direct.DirectOptions;
import dev.lrfinder.loader.ModelLoader;
import dev.lrfinder.model.TrainableModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Times {@code trainStep} from Java and reports the process's resident memory before and after,
 * as one JSON line. Usage: {@code StepBenchmark <model-dir> <optimizer> <batch-size> <steps>
 * [warmup] [data.npz]}. Each step includes gathering its batch from the training data, as a real
 * run does. The model may take either training path (an exported model or a Keras 2 SavedModel);
 * the data defaults to {@code <model-dir>.npz}. Besides the timed steps it reports the load
 * ({@code load_s}), the first step ({@code first_ms}, which builds the session's executors) and
 * the process's CPU time per timed step ({@code cpu_ms_mean}; less sensitive than wall time to
 * other processes on a shared machine), and of the load and the first step ({@code load_cpu_s},
 * {@code first_cpu_ms}). Warmup counts the first step.
 */
public final class StepBenchmark {
  private StepBenchmark() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 4) {
      System.err.println("usage: StepBenchmark <model-dir> <optimizer> <batch-size> <steps>"
          + " [warmup] [data.npz]");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    String optimizer = args[1];
    int batchSize = Integer.parseInt(args[2]);
    int steps = Integer.parseInt(args[3]);
    int warmup = Math.max(1, args.length > 4 ? Integer.parseInt(args[4]) : 50);

    DirectOptions options = new DirectOptions(java.util.Optional.empty(), List.of(optimizer));
    long loadStart = System.nanoTime();
    long loadCpuStart = cpuNanos();
    try (TrainableModel model = ModelLoader.load(dir, options)) {
      double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
      double loadCpuSeconds = (cpuNanos() - loadCpuStart) / 1e9;
      Dataset data = args.length > 5
          ? model.conform(Dataset.load(Path.of(args[5]), "train", "label"))
          : BundledData.train(model, dir);
      Batches batches = new Batches(data, batchSize, true, 0);
      model.setLearningRate(optimizer, 1e-4);
      // The first step also builds the session's executors (Grappler, kernels): a one-off cost.
      long firstStart = System.nanoTime();
      long firstCpuStart = cpuNanos();
      model.trainStep(optimizer, batches.get(0));
      double firstMillis = (System.nanoTime() - firstStart) / 1e6;
      double firstCpuMillis = (cpuNanos() - firstCpuStart) / 1e6;
      for (int i = 1; i < warmup; i++) {
        model.trainStep(optimizer, batches.get(i));
      }
      long rssBefore = rssKiB();
      double[] millis = new double[steps];
      long cpuBefore = cpuNanos();
      for (int i = 0; i < steps; i++) {
        long start = System.nanoTime();
        model.trainStep(optimizer, batches.get(warmup + i));
        millis[i] = (System.nanoTime() - start) / 1e6;
      }
      double cpuMillis = (cpuNanos() - cpuBefore) / 1e6 / steps;
      long rssAfter = rssKiB();
      double[] sorted = millis.clone();
      Arrays.sort(sorted);
      System.out.println(String.format(Locale.ROOT,
          "{\"side\": \"java\", \"path\": \"%s\", \"model\": \"%s\", \"optimizer\": \"%s\","
              + " \"batch_size\": %d, \"steps\": %d, \"load_s\": %.2f, \"first_ms\": %.1f,"
              + " \"load_cpu_s\": %.2f, \"first_cpu_ms\": %.1f,"
              + " \"ms_mean\": %.4f, \"ms_median\": %.4f, \"ms_min\": %.4f, \"ms_p90\": %.4f,"
              + " \"cpu_ms_mean\": %.1f, \"rss_mib_before\": %.1f, \"rss_mib_after\": %.1f}",
          model.trainingPath().kind().label(), model.contract().modelName(), optimizer, batchSize,
          steps, loadSeconds, firstMillis, loadCpuSeconds, firstCpuMillis,
          Arrays.stream(millis).average().orElse(0),
          sorted[steps / 2], sorted[0], sorted[(int) (steps * 0.9)], cpuMillis,
          rssBefore / 1024.0, rssAfter / 1024.0));
    }
  }

  /** CPU time of the whole process (every thread, TensorFlow's pools included), in ns. */
  static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
        java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /** Resident set size of this process from /proc (Linux), in KiB; -1 elsewhere. */
  static long rssKiB() throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.exists(status)) {
      return -1;
    }
    return Files.readAllLines(status).stream().filter(l -> l.startsWith("VmRSS:"))
        .map(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElse(-1L);
  }
}
