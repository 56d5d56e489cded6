package dev.lrfinder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lrfinder.data.Batch;
import dev.lrfinder.data.DataFile;
import dev.lrfinder.data.Dataset;
import dev.lrfinder.data.MemoryBudget;
import dev.lrfinder.direct.DirectModel;
import dev.lrfinder.direct.DirectOptions;
import dev.lrfinder.model.StepResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * tf_keras's own numbers for Keras 2 SavedModels trained on the direct path, as a fixture
 * generator of {@code tools/fixtures/} wrote them live: for model {@code NAME} in {@code dir}, the
 * SavedModel {@code NAME/}, its data {@code NAME.npz} and {@code NAME.json} with {@code batch},
 * {@code evaluate} and two {@code train_on_batch} results (each a loss and metrics) on the first
 * batch.
 *
 * @param dir where the generator wrote the models
 * @param tag what the printed comparisons start with
 * @param tolerance the relative tolerance, justified by the test that sets it
 */
record KerasReference(Path dir, String tag, double tolerance) {

  JsonNode json(String model) throws IOException {
    return new ObjectMapper().readTree(dir.resolve(model + ".json").toFile());
  }

  /** The first {@code rows} rows of a model's data, conformed to the model. */
  Batch firstBatch(DirectModel model, String name, int rows) {
    Dataset data = model.conform(DataFile.load(dir.resolve(name + ".npz"), model.layout(),
        "label", MemoryBudget.heap()).train());
    return data.batch(IntStream.range(0, rows).toArray());
  }

  void assertClose(double expected, double actual, String number, String step) {
    System.out.printf("%s: %s, %s: keras %.9g direct %.9g relative difference %.2e%n", tag,
        step, number, expected, actual,
        Math.abs(actual - expected) / Math.max(1, Math.abs(expected)));
    assertEquals(expected, actual, tolerance * Math.max(1, Math.abs(expected)),
        number + ", " + step);
  }

  /**
   * evaluate, then two SGD steps on the first batch, each against tf_keras: the total loss,
   * each output's own loss when {@code outputs} names several, and every metric; every number
   * Keras reports must be reported by Java.
   */
  void assertMatchesKeras(String name, List<String> outputs) throws IOException {
    JsonNode ref = json(name);
    long start = System.nanoTime();
    try (DirectModel model = DirectModel.load(dir.resolve(name), DirectOptions.defaults())) {
      System.out.printf("%s: %s loaded in %.2f s%n", tag, name,
          (System.nanoTime() - start) / 1e9);
      Batch batch = firstBatch(model, name, ref.get("batch").asInt());
      List<JsonNode> expected = List.of(ref.get("evaluate"), ref.get("train_on_batch").get(0),
          ref.get("train_on_batch").get(1));
      List<StepResult> actual = List.of(model.evaluate(batch), model.trainStep("sgd", batch),
          model.trainStep("sgd", batch));
      for (int i = 0; i < expected.size(); i++) {
        JsonNode keras = expected.get(i);
        StepResult java = actual.get(i);
        String step = name + (i == 0 ? " evaluate" : " train_on_batch " + i);
        assertClose(keras.get("loss").asDouble(), java.loss(), "total loss", step);
        if (outputs.size() > 1) {
          assertEquals(outputs, List.copyOf(java.outputLosses().keySet()), step);
          for (String o : outputs) {
            assertClose(keras.get(o + "_loss").asDouble(), java.outputLosses().get(o),
                o + "_loss", step);
          }
        }
        for (Map.Entry<String, Double> metric : java.metrics().entrySet()) {
          assertTrue(keras.has(metric.getKey()), "keras has no metric " + metric.getKey());
          assertClose(keras.get(metric.getKey()).asDouble(), metric.getValue(), metric.getKey(),
              step);
        }
        keras.fieldNames().forEachRemaining(k -> assertTrue(k.equals("loss")
            || k.endsWith("_loss") || java.metrics().containsKey(k), "missing " + k));
      }
      assertTrue(actual.get(1).loss() != actual.get(2).loss(), "the first step trained");
    }
  }
}
