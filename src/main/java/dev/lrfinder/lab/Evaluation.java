package dev.lrfinder.lab;

import dev.lrfinder.data.Batch;
import dev.lrfinder.data.Batches;
import dev.lrfinder.data.Dataset;
import dev.lrfinder.model.ModelContract;
import dev.lrfinder.model.StepResult;
import dev.lrfinder.model.TrainableModel;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Loss and metrics of a model over every row of a dataset in inference mode, as Keras's
 * {@code evaluate} computes them: batches of {@code batchSize} rows in file order (the last one
 * smaller), each batch's loss and metrics weighted by its rows in a {@link KerasMean}.
 */
public final class Evaluation {
  private Evaluation() {}

  /**
   * The values keyed as Keras logs them without the {@code val_} prefix: {@code loss}, each
   * output's {@code <output>_loss} for a model with several outputs, then the metrics.
   */
  public static Map<String, Double> of(TrainableModel model, Dataset data, int batchSize) {
    Accumulator sum = new Accumulator();
    for (Batch batch : Batches.sequential(data, batchSize)) {
      sum.add(model.evaluate(batch), batch.size());
    }
    return sum.result();
  }

  /** Per-batch results averaged as Keras's trackers average them (see {@link KerasMean}). */
  static final class Accumulator {
    private final Map<String, KerasMean> means = new LinkedHashMap<>();

    void add(StepResult result, long rows) {
      means.computeIfAbsent("loss", k -> new KerasMean()).add(result.loss(), rows);
      result.outputLosses().forEach((key, value) -> means.computeIfAbsent(
          ModelContract.sanitize(key) + "_loss", k -> new KerasMean()).add(value, rows));
      result.metrics().forEach((key, value) ->
          means.computeIfAbsent(key, k -> new KerasMean()).add(value, rows));
    }

    Map<String, Double> result() {
      Map<String, Double> values = new LinkedHashMap<>();
      means.forEach((key, mean) -> values.put(key, mean.result()));
      return Collections.unmodifiableMap(values);
    }
  }
}
