package dev.lrfinder.bench;

import dev.lrfinder.data.Batches;
import dev.lrfinder.direct.DirectOptions;
import dev.lrfinder.loader.ModelLoader;
import dev.lrfinder.model.TrainableModel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The cost of setting the momentum with each step: per-step wall time of
 * {@code trainStep(optimizer, rate, batch)} against {@code trainStep(optimizer, rate, momentum,
 * batch)} (one session run) and against {@code setMomentum} then {@code trainStep(optimizer, rate,
 * batch)} (two runs), interleaved in blocks so all see the same load on a shared machine, as one
 * JSON line (medians of the blocks' mean step times, and the ratios to the rate-only step). Usage: {@code MomentumStepBenchmark
 * <model-dir> <optimizer> <batch-size> <blocks> <steps-per-block>}; the data is
 * {@code <model-dir>.npz}. The optimizer must have a settable momentum.
 */
public final class MomentumStepBenchmark {
  private MomentumStepBenchmark() {}

  public static void main(String[] args) {
    if (args.length < 5) {
      System.err.println("usage: MomentumStepBenchmark <model-dir> <optimizer> <batch-size>"
          + " <blocks> <steps-per-block>");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    String optimizer = args[1];
    int batchSize = Integer.parseInt(args[2]);
    int blocks = Integer.parseInt(args[3]);
    int perBlock = Integer.parseInt(args[4]);
    DirectOptions options = new DirectOptions(java.util.Optional.empty(), List.of(optimizer));
    try (TrainableModel model = ModelLoader.load(dir, options)) {
      Batches batches = new Batches(BundledData.train(model, dir), batchSize, true, 0);
      long step = 0;
      for (int i = 0; i < 100; i++, step++) { // warm-up, both calls
        model.trainStep(optimizer, 1e-4, batches.get(step));
        model.trainStep(optimizer, 1e-4, 0.9, batches.get(step));
      }
      double[] rateOnly = new double[blocks];
      double[] withMomentum = new double[blocks];
      double[] split = new double[blocks];
      for (int b = 0; b < blocks; b++) {
        long start = System.nanoTime();
        for (int i = 0; i < perBlock; i++, step++) {
          model.trainStep(optimizer, 1e-4, batches.get(step));
        }
        rateOnly[b] = (System.nanoTime() - start) / 1e6 / perBlock;
        start = System.nanoTime();
        for (int i = 0; i < perBlock; i++, step++) {
          model.trainStep(optimizer, 1e-4, 0.85 + 0.1 * i / perBlock, batches.get(step));
        }
        withMomentum[b] = (System.nanoTime() - start) / 1e6 / perBlock;
        start = System.nanoTime();
        for (int i = 0; i < perBlock; i++, step++) {
          model.setMomentum(optimizer, 0.85 + 0.1 * i / perBlock);
          model.trainStep(optimizer, 1e-4, batches.get(step));
        }
        split[b] = (System.nanoTime() - start) / 1e6 / perBlock;
      }
      double a = median(rateOnly);
      double m = median(withMomentum);
      double t = median(split);
      System.out.println(String.format(Locale.ROOT, "{\"path\": \"%s\", \"model\": \"%s\","
          + " \"optimizer\": \"%s\", \"batch_size\": %d, \"blocks\": %d, \"steps_per_block\": %d,"
          + " \"rate_ms_median\": %.4f, \"rate_momentum_ms_median\": %.4f, \"ratio\": %.3f,"
          + " \"set_then_step_ms_median\": %.4f, \"set_then_step_ratio\": %.3f}",
          model.trainingPath().kind().label(), model.contract().modelName(), optimizer,
          batchSize, blocks, perBlock, a, m, m / a, t, t / a));
    }
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
