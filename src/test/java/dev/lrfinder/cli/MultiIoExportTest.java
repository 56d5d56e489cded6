package dev.lrfinder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lrfinder.BuiltFixtures;
import dev.lrfinder.data.Batches;
import dev.lrfinder.data.DType;
import dev.lrfinder.data.DataFile;
import dev.lrfinder.data.Dataset;
import dev.lrfinder.data.MemoryBudget;
import dev.lrfinder.exported.ExportedModel;
import dev.lrfinder.model.ModelSnapshot;
import dev.lrfinder.model.StepResult;
import dev.lrfinder.report.CurvesCsv;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Models of several inputs and outputs, built in Keras and exported by scripts/export.py (see
 * {@link BuiltFixtures#MULTI_IO}), trained from Java: through the API (per-output losses, the weighted
 * total, exact snapshots) and through the CLI ({@code train}, {@code find}, {@code inspect}).
 * Skipped without a venv.
 */
class MultiIoExportTest {
  private static final double GENDER_WEIGHT = 0.5; // make_multiio_fixtures.py's loss_weights
  private static Optional<Path> models;

  @BeforeAll
  static void buildModels() {
    models = BuiltFixtures.MULTI_IO.dir();
  }

  @BeforeEach
  void needsModels() {
    assumeTrue(models.isPresent(), "no .venv: the contract v2 models cannot be built");
  }

  private static Path model(String name) {
    return models.get().resolve(name);
  }

  private static Dataset train(ExportedModel model, String data) {
    return model.conform(DataFile.load(models.get().resolve(data), model.layout(), "label",
        MemoryBudget.heap()).train());
  }

  /**
   * Keras adds the weighted output losses in float32 (there is no regularization in these
   * models), and every number comes back as a float32 widened exactly to a double; two float32
   * roundings (the product by 0.5 is exact) put the reported total within 2 ulps of the exact sum
   * of the reported parts, so 4 ulps of the total leave room without hiding a wrong weight (a
   * weight of 1 instead of 0.5 would be off by ~0.35, i.e. millions of ulps).
   */
  private static void assertWeightedTotal(double total, double age, double gender) {
    double tolerance = 4 * Math.ulp((float) total);
    assertEquals(age + GENDER_WEIGHT * gender, total, tolerance,
        "total " + total + " vs age " + age + " + 0.5 * gender " + gender);
  }

  @Test
  void eachStepReportsEveryOutputsLossAndTheWeightedTotal() {
    try (ExportedModel model = ExportedModel.load(model("two_outputs"))) {
      assertTrue(model.contract().hasSeveralOutputs());
      assertEquals(List.of("age", "gender"), model.layout().outputs().stream()
          .map(s -> s.key()).toList());
      Dataset data = train(model, "two_outputs.npz");
      Batches batches = new Batches(data, 32, true, 0);
      for (int step = 0; step < 5; step++) {
        StepResult result = model.trainStep("adam", batches.get(step));
        assertEquals(List.of("age", "gender"), List.copyOf(result.outputLosses().keySet()));
        assertWeightedTotal(result.loss(), result.outputLosses().get("age"),
            result.outputLosses().get("gender"));
        assertEquals(List.of("age_mae", "gender_accuracy"),
            result.metrics().keySet().stream().sorted().toList());
      }
      StepResult evaluated = model.evaluate(batches.get(0));
      assertWeightedTotal(evaluated.loss(), evaluated.outputLosses().get("age"),
          evaluated.outputLosses().get("gender"));
    }
  }

  @Test
  void snapshotsOfATwoOutputModelRestoreBitForBit(@TempDir Path dir) {
    try (ExportedModel model = ExportedModel.load(model("two_outputs"))) {
      Batches batches = new Batches(train(model, "two_outputs.npz"), 32, true, 0);
      ModelSnapshot start = model.snapshot();
      ModelSnapshot onDisk = model.snapshotToDisk(dir.resolve("start"));
      List<StepResult> first = steps(model, batches);
      model.restore(start);
      assertEquals(start, model.snapshot());
      // The same steps from the restored state give the same bits (same machine, same kernels).
      assertEquals(first, steps(model, batches));
      model.restore(onDisk);
      assertEquals(start, model.snapshot());
    }
  }

  @Test
  void aStringInputIsFedAsTextAndTrains() {
    try (ExportedModel model = ExportedModel.load(model("two_inputs"))) {
      assertEquals(DType.STRING, model.contract().inputs().get(1).dtype());
      Dataset data = train(model, "two_inputs.npz");
      assertEquals(DType.STRING, data.inputs().get(1).array().dtype());
      Batches batches = new Batches(data, 32, true, 0);
      ModelSnapshot start = model.snapshot();
      List<StepResult> first = steps(model, batches);
      first.forEach(r -> assertTrue(Double.isFinite(r.loss()), first.toString()));
      assertEquals(java.util.Map.of(), first.get(0).outputLosses());
      assertTrue(first.get(0).metrics().containsKey("mae"), first.get(0).toString());
      model.restore(start);
      assertEquals(start, model.snapshot());
      assertEquals(first, steps(model, batches));
    }
  }

  private static List<StepResult> steps(ExportedModel model, Batches batches) {
    List<StepResult> results = new ArrayList<>();
    for (int step = 0; step < 3; step++) {
      results.add(model.trainStep(model.optimizers().get(0), batches.get(step)));
    }
    return results;
  }

  @Test
  void findRecordsEveryOutputsLossInResultJsonAndCurvesCsv(@TempDir Path dir) throws IOException {
    Path out = dir.resolve("report");
    MainTest.Run run = MainTest.run("find", model("two_outputs").toString(), "--data",
        models.get().resolve("two_outputs.npz").toString(), "--steps", "30", "--batch-size",
        "32", "--out", out.toString());
    assertEquals(0, run.exitCode(), run.err());

    JsonNode result = new ObjectMapper().readTree(out.resolve("result.json").toFile());
    JsonNode outputs = result.get("model").get("outputs");
    assertEquals(2, outputs.size());
    assertEquals("gender", outputs.get(1).get("key").asText());
    assertEquals(0.5, outputs.get(1).get("loss_weight").asDouble());
    assertEquals("binary_crossentropy", outputs.get(1).get("loss").asText());
    assertFalse(result.get("model").has("input"), "no single input field for several outputs");
    JsonNode adam = result.get("optimizers").get(0);
    JsonNode age = adam.get("output_losses").get("age");
    JsonNode gender = adam.get("output_losses").get("gender");
    int steps = adam.get("steps_run").asInt();
    assertEquals(steps, age.size());
    assertEquals(steps, gender.size());
    for (int i = 0; i < steps; i++) {
      assertWeightedTotal(adam.get("train_loss").get(i).asDouble(), age.get(i).asDouble(),
          gender.get(i).asDouble());
    }

    List<String> csv = Files.readAllLines(out.resolve(CurvesCsv.FILE_NAME));
    assertEquals(CurvesCsv.HEADER + ",age_loss,gender_loss", csv.get(0));
    String[] first = csv.get(1).split(",", -1);
    assertEquals(age.get(0).asDouble(), Double.parseDouble(first[6]));
    assertEquals(gender.get(0).asDouble(), Double.parseDouble(first[7]));

    String html = Files.readString(out.resolve("index.html"));
    assertTrue(html.contains("the range test follows the total loss (sum of the weighted output"
        + " losses)"), "report says which loss it follows");
  }

  @Test
  void aModelOfOneOutputKeepsTheCurvesCsvHeader(@TempDir Path dir) throws IOException {
    Path out = dir.resolve("report");
    MainTest.Run run = MainTest.run("find", model("two_inputs").toString(), "--data",
        models.get().resolve("two_inputs.npz").toString(), "--steps", "10", "--batch-size",
        "32", "--out", out.toString());
    assertEquals(0, run.exitCode(), run.err());

    assertEquals(CurvesCsv.HEADER, Files.readAllLines(out.resolve(CurvesCsv.FILE_NAME)).get(0));
    JsonNode optimizer = new ObjectMapper().readTree(out.resolve("result.json").toFile())
        .get("optimizers").get(0);
    assertFalse(optimizer.has("output_losses"));
  }

  @Test
  void trainPrintsEachOutputsLossAndACsvIsReadByColumnName() {
    MainTest.Run outputs = MainTest.run("train", model("two_outputs").toString(), "--data",
        models.get().resolve("two_outputs.csv").toString(), "--steps", "2");
    assertEquals(0, outputs.exitCode(), outputs.err());
    assertTrue(outputs.out().contains("loss is the total loss: 1 \u00d7 mean_squared_error (age)"
        + " + 0.5 \u00d7 binary_crossentropy (gender)"), outputs.out());
    assertTrue(outputs.out().matches("(?s).*step +2 +loss \\S+ +age_loss \\S+ +gender_loss .*"),
        outputs.out());

    MainTest.Run byName = MainTest.run("train", model("one_column").toString(), "--data",
        models.get().resolve("one_column.csv").toString(), "--steps", "2");
    assertEquals(0, byName.exitCode(), byName.err());
    assertTrue(byName.err().contains("lrfinder: note: CSV '" + models.get().resolve(
        "one_column.csv") + "' has columns no input or output of the model uses, ignored: id"),
        byName.err());
  }

  @Test
  void inspectListsEveryInputAndOutput() throws IOException {
    MainTest.Run text = MainTest.run("inspect", model("two_outputs").toString());
    assertEquals(0, text.exitCode(), text.err());
    assertTrue(text.out().contains("  gender: output [?, 1], loss binary_crossentropy, weight 0.5,"
        + " label y_gender: float32[?, 1], values in [0, 1]"), text.out());
    assertTrue(text.out().contains("the range test follows the total loss (sum of the weighted"
        + " output losses)"), text.out());

    MainTest.Run json = MainTest.run("inspect", model("two_inputs").toString(), "--json");
    assertEquals(0, json.exitCode(), json.err());
    JsonNode contract = new ObjectMapper().readTree(json.out()).get("contract");
    assertEquals(List.of("size", "city"), List.of(contract.get("inputs").get(0).get("key")
        .asText(), contract.get("inputs").get(1).get("key").asText()));
    assertEquals("STRING", contract.get("inputs").get(1).get("dtype").asText()); // as v1 wrote dtypes
    assertEquals(1, contract.get("outputs").size());
    assertFalse(contract.has("input"), "no single input field for two inputs");
  }
}
