package dev.lrfinder.bench;

import dev.lrfinder.data.Dataset;
import dev.lrfinder.exported.ExportedModel;
import dev.lrfinder.rangetest.OptimizerCurve;
import dev.lrfinder.rangetest.RangeTest;
import dev.lrfinder.rangetest.RangeTestConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Times the range test as a library call: one run to warm the JVM and TensorFlow up (reported
 * separately), then {@code runs} timed runs of {@code steps} steps each, from 1e-6 to 1e-2 with
 * the stop factor off so every run trains every step. Prints one JSON line.
 *
 * <p>Usage: {@code RangeTestBenchmark <model-dir> <optimizer> <batch-size> <steps> [runs]}
 */
public final class RangeTestBenchmark {
  private RangeTestBenchmark() {}

  public static void main(String[] args) {
    if (args.length < 4) {
      System.err.println("usage: RangeTestBenchmark <model-dir> <optimizer> <batch-size> <steps> [runs]");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    String optimizer = args[1];
    int batchSize = Integer.parseInt(args[2]);
    int steps = Integer.parseInt(args[3]);
    int runs = args.length > 4 ? Integer.parseInt(args[4]) : 1;
    RangeTestConfig config = RangeTestConfig.builder().startLr(1e-6).endLr(1e-2).steps(steps)
        .batchSize(batchSize).stopFactor(0).optimizers(List.of(optimizer)).build();

    try (ExportedModel model = ExportedModel.load(dir)) {
      Dataset train = BundledData.train(model, dir);
      RangeTest test = new RangeTest(config);
      OptimizerCurve warmup = test.run(model, train, null).curve(optimizer);
      StringBuilder timed = new StringBuilder();
      StringBuilder outside = new StringBuilder();
      for (int run = 0; run < runs; run++) {
        OptimizerCurve curve = test.run(model, train, null).curve(optimizer);
        if (curve.stepsRun() != steps) {
          throw new IllegalStateException("run stopped after " + curve.stepsRun() + " steps");
        }
        timed.append(run == 0 ? "" : ", ").append(msPerStep(curve.seconds(), steps));
        outside.append(run == 0 ? "" : ", ")
            .append(msPerStep(curve.seconds() - curve.secondsInModel(), steps));
      }
      System.out.println(String.format(Locale.ROOT,
          "{\"side\": \"java-find\", \"model\": \"%s\", \"optimizer\": \"%s\", \"batch_size\": %d,"
              + " \"steps\": %d, \"warmup_ms_per_step\": %s, \"ms_per_step\": [%s],"
              + " \"outside_model_ms_per_step\": [%s]}",
          model.contract().modelName(), optimizer, batchSize, steps,
          msPerStep(warmup.seconds(), warmup.stepsRun()), timed, outside));
    }
  }

  private static String msPerStep(double seconds, long steps) {
    return String.format(Locale.ROOT, "%.4f", 1000 * seconds / steps);
  }
}
