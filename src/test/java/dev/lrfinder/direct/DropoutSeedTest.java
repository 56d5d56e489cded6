package dev.lrfinder.direct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lrfinder.LiveKeras;
import dev.lrfinder.TestPaths;
import dev.lrfinder.data.Batch;
import dev.lrfinder.data.Batches;
import dev.lrfinder.data.Dataset;
import dev.lrfinder.model.ModelSnapshot;
import dev.lrfinder.rangetest.OptimizerCurve;
import dev.lrfinder.rangetest.RangeTest;
import dev.lrfinder.rangetest.RangeTestConfig;
import dev.lrfinder.rangetest.RangeTestResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;

/** The random ops of the training call (Dropout 0.5 in {@code cnn_dropout}) keyed on (seed, step, op). */
class DropoutSeedTest {
  private static final List<String> OPTIMIZERS = List.of("sgd", "adam");

  private static Path fixture(String name) {
    return TestPaths.fixture("keras2").resolve(name);
  }

  private static DirectModel load(long seed) {
    return load(fixture("cnn_dropout"), seed);
  }

  private static DirectModel load(Path directory, long seed) {
    return DirectModel.load(directory,
        new DirectOptions(Optional.empty(), OPTIMIZERS).withSeed(seed));
  }

  /**
   * {@code cnn_dropout} as a model saved without a TensorFlow seed is (the usual case): its
   * {@code RandomUniform} has seed and seed2 0, so TensorFlow would draw fresh masks every run.
   */
  private static Path unseededCopy(Path dir) throws IOException {
    Path source = fixture("cnn_dropout");
    Path target = dir.resolve("cnn_dropout_unseeded");
    try (Stream<Path> files = Files.walk(source)) {
      for (Path file : files.toList()) {
        Path copy = target.resolve(source.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(copy);
        } else if (!file.getFileName().toString().equals("fingerprint.pb")) {
          Files.copy(file, copy);
        }
      }
    }
    SavedModel.Builder saved = SavedModel.parseFrom(Files.readAllBytes(
        source.resolve("saved_model.pb"))).toBuilder();
    int zeroed = 0;
    var library = saved.getMetaGraphsBuilder(0).getGraphDefBuilder().getLibraryBuilder();
    for (FunctionDef.Builder function : library.getFunctionBuilderList()) {
      for (NodeDef.Builder node : function.getNodeDefBuilderList()) {
        if (node.getOp().equals("RandomUniform")) {
          AttrValue zero = AttrValue.newBuilder().setI(0).build();
          node.putAttr("seed", zero).putAttr("seed2", zero);
          zeroed++;
        }
      }
    }
    assertTrue(zeroed > 0, "the fixture's Dropout has a RandomUniform");
    Files.write(target.resolve("saved_model.pb"), saved.build().toByteArray());
    return target;
  }

  private static Dataset train(DirectModel model) {
    return model.conform(Dataset.load(fixture("cnn_bn.npz"), "train", "label"));
  }

  private static RangeTestResult find(Path directory, long seed) {
    try (DirectModel model = load(directory, seed)) {
      RangeTestConfig config = RangeTestConfig.builder().startLr(1e-4).endLr(10).steps(30)
          .batchSize(32).seed(seed).optimizers(OPTIMIZERS).build();
      return new RangeTest(config).run(model, train(model), null);
    }
  }

  @Test
  void theTrainingCallsRandomOpsBecomeStatelessAndModelsWithoutThemAreUnchanged() {
    try (Graph graph = new Graph()) {
      TrainingGraph model = TrainingGraph.build(SavedModelFile.read(fixture("cnn_dropout")),
          OpRegistry.load(), graph, 7);
      assertEquals(1, model.randomOps().size(), model.randomOps().toString());
      List<String> types = opTypes(graph);
      assertFalse(types.contains("RandomUniform"), types.toString());
      assertTrue(types.contains("StatelessRandomUniform"), types.toString());
    }
    try (Graph graph = new Graph()) {
      TrainingGraph model = TrainingGraph.build(SavedModelFile.read(fixture("mlp")),
          OpRegistry.load(), graph, 7);
      assertTrue(model.randomOps().isEmpty());
      assertNull(graph.operation("lrfinder/random/step"), "no step counter without random ops");
      assertFalse(opTypes(graph).contains("StatelessRandomUniform"));
    }
  }

  private static List<String> opTypes(Graph graph) {
    List<String> types = new ArrayList<>();
    graph.operations().forEachRemaining(op -> types.add(((GraphOperation) op).type()));
    return types;
  }

  @Test
  void twoRangeTestsWithTheSameSeedGiveBitIdenticalCurves(@TempDir Path dir) throws IOException {
    Path unseeded = unseededCopy(dir);
    RangeTestResult first = find(unseeded, 3);
    RangeTestResult second = find(unseeded, 3);
    for (String key : OPTIMIZERS) {
      OptimizerCurve a = first.curve(key);
      OptimizerCurve b = second.curve(key);
      assertTrue(a.stepsRun() > 5, key + " ran " + a.stepsRun() + " steps");
      assertEquals(a.trainLosses(), b.trainLosses(), key);
      assertEquals(a.smoothedLosses(), b.smoothedLosses(), key);
      assertEquals(a.stopReason(), b.stopReason(), key);
    }
  }

  @Test
  void everyOptimizerSeesTheSameMasksAtTheSameStep() {
    try (DirectModel model = load(3)) {
      List<Batch> batches = Batches.sequential(train(model), 32).subList(0, 4);
      ModelSnapshot start = model.snapshot();
      List<List<Double>> losses = new ArrayList<>();
      for (String key : OPTIMIZERS) {
        model.restore(start);
        model.setLearningRate(key, 0.0); // no weight moves: the losses differ by mask only
        List<Double> curve = new ArrayList<>();
        for (Batch batch : batches) {
          curve.add(model.trainStep(key, batch).loss());
        }
        losses.add(curve);
      }
      assertEquals(losses.get(0), losses.get(1), "sgd and adam at learning rate 0");
      assertNotEquals(losses.get(0).get(0), losses.get(0).get(1), "a new mask each step");
      // After a restore the first step of a trained optimizer sees the first mask again.
      model.restore(start);
      model.setLearningRate("adam", 0.1);
      double firstAdam = model.trainStep("adam", batches.get(0)).loss();
      assertEquals(losses.get(0).get(0), firstAdam, 0.0);
    }
  }

  @Test
  void anotherSeedGivesOtherMasks() {
    double[] firstLoss = new double[2];
    long[] seeds = {3, 4};
    for (int i = 0; i < 2; i++) {
      try (DirectModel model = load(seeds[i])) {
        Batch batch = Batches.sequential(train(model), 32).get(0);
        model.setLearningRate("sgd", 0.0);
        firstLoss[i] = model.trainStep("sgd", batch).loss();
      }
    }
    assertNotEquals(firstLoss[0], firstLoss[1]);
  }

  @Test
  void dropoutDrawnFromATensorFlowGeneratorIsKeyedTheSameWay() {
    Optional<Path> live = LiveKeras.generate("random_generator", "make_random_generator_model.py");
    if (live.isEmpty()) {
      return; // needs the venv to build the model
    }
    Path model = live.get().resolve("model");
    try (Graph graph = new Graph()) {
      TrainingGraph built = TrainingGraph.build(SavedModelFile.read(model), OpRegistry.load(),
          graph, 3);
      assertEquals(1, built.randomOps().size(), built.randomOps().toString());
      assertFalse(opTypes(graph).contains("StatelessRandomUniformV2"));
    }
    List<List<Double>> runs = new ArrayList<>();
    for (int run = 0; run < 2; run++) {
      try (DirectModel direct = load(model, 3)) {
        Dataset data = direct.conform(Dataset.load(fixture("mlp.npz"), "train", "label"));
        List<Batch> batches = Batches.sequential(data, 32).subList(0, 3);
        ModelSnapshot start = direct.snapshot();
        for (String key : OPTIMIZERS) {
          direct.restore(start);
          direct.setLearningRate(key, 0.0);
          List<Double> losses = new ArrayList<>();
          batches.forEach(b -> losses.add(direct.trainStep(key, b).loss()));
          runs.add(losses);
        }
      }
    }
    assertNotEquals(runs.get(0).get(0), runs.get(0).get(1), "a new mask each step");
    runs.forEach(r -> assertEquals(runs.get(0), r));
  }
}
