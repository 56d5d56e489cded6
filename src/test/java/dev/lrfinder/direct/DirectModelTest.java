package dev.lrfinder.direct;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lrfinder.TestPaths;
import dev.lrfinder.data.Batch;
import dev.lrfinder.data.Batches;
import dev.lrfinder.data.Dataset;
import dev.lrfinder.loader.ModelLoader;
import dev.lrfinder.model.ModelException;
import dev.lrfinder.model.ModelSnapshot;
import dev.lrfinder.model.TrainableModel;
import dev.lrfinder.model.TrainingPath;
import dev.lrfinder.runtime.Tensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.types.TFloat32;

class DirectModelTest {
  private static Path fixture(String name) {
    return TestPaths.fixture("keras2").resolve(name);
  }

  private static List<Batch> batches(TrainableModel model, String data, int count) {
    Dataset train = model.conform(Dataset.load(fixture(data), "train", "label"));
    return Batches.sequential(train, 32).subList(0, count);
  }

  @Test
  void inferenceCallEqualsServingDefaultBitForBit() {
    SavedModelFile file = SavedModelFile.read(fixture("cnn_bn"));
    String servingInput = file.signature("serving_default").orElseThrow()
        .getInputsMap().values().iterator().next().getName();
    String servingOutput = file.signature("serving_default").orElseThrow()
        .getOutputsMap().values().iterator().next().getName();
    try (Graph graph = new Graph()) {
      TrainingGraph model = TrainingGraph.build(file, OpRegistry.load(), graph);
      try (Session session = new Session(graph)) {
        model.restore(session);
        Dataset data = Dataset.load(fixture("cnn_bn.npz"), "test", "label")
            .conformTo(dev.lrfinder.data.DType.FLOAT32, new long[] {28, 28, 1},
                dev.lrfinder.data.DType.INT32, new long[] {});
        Batch batch = Batches.sequential(data, 16).get(0);
        try (Tensor x = Tensors.toTensor(batch.x());
            Result result = session.runner().feed(model.input(), x).feed(servingInput, x)
                .fetch(model.inferenceOutput()).fetch(servingOutput).run()) {
          float[] inlined = floats((TFloat32) result.get(0));
          float[] serving = floats((TFloat32) result.get(1));
          assertEquals(16 * 10, inlined.length);
          assertArrayEquals(serving, inlined);
        }
      }
    }
  }

  private static float[] floats(TFloat32 tensor) {
    float[] values = new float[(int) tensor.size()];
    tensor.copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(values, false, false));
    return values;
  }

  @Test
  void dropoutIsActiveInTrainingStepsOnlyAndEvaluationChangesNothing() {
    try (DirectModel model = DirectModel.load(fixture("cnn_dropout"), DirectOptions.defaults())) {
      Batch batch = batches(model, "cnn_bn.npz", 1).get(0);
      String key = model.optimizers().get(0);
      model.setLearningRate(key, 0.0); // steps change no weight: only the dropout mask differs
      ModelSnapshot.InMemory before = (ModelSnapshot.InMemory) model.snapshot();
      double eval1 = model.evaluate(batch).loss();
      double eval2 = model.evaluate(batch).loss();
      assertEquals(eval1, eval2, 0.0, "inference is deterministic");
      assertEquals(before.values(), ((ModelSnapshot.InMemory) model.snapshot()).values(),
          "evaluate changes no variable");
      double train1 = model.trainStep(key, batch).loss();
      double train2 = model.trainStep(key, batch).loss();
      assertNotEquals(train1, train2, "a new dropout mask each step");
      assertNotEquals(eval1, train1);
    }
  }

  @Test
  void batchNormMovingStatisticsMoveInTrainingOnly() {
    try (DirectModel model = DirectModel.load(fixture("cnn_bn"), DirectOptions.defaults())) {
      Batch batch = batches(model, "cnn_bn.npz", 1).get(0);
      int mean = model.variableNames().indexOf("batch_normalization/moving_mean");
      assertTrue(mean >= 0, model.variableNames().toString());
      var start = ((ModelSnapshot.InMemory) model.snapshot()).values().get(mean);
      model.evaluate(batch);
      assertEquals(start, ((ModelSnapshot.InMemory) model.snapshot()).values().get(mean));
      model.setLearningRate("adam", 0.0);
      model.trainStep("adam", batch);
      assertNotEquals(start, ((ModelSnapshot.InMemory) model.snapshot()).values().get(mean));
    }
  }

  @Test
  void restoreGivesBackWeightsSlotsAndRatesInMemoryAndOnDisk(@TempDir Path dir) {
    try (DirectModel model = DirectModel.load(fixture("mlp"),
        new DirectOptions(Optional.empty(), List.of("adam", "rmsprop")))) {
      List<Batch> batches = batches(model, "mlp.npz", 4);
      ModelSnapshot memory = model.snapshot();
      ModelSnapshot disk = model.snapshotToDisk(dir.resolve("start"));
      List<Double> first = steps(model, batches);
      model.setLearningRate("adam", 0.5);
      model.restore(memory);
      assertEquals(first, steps(model, batches));
      model.restore(disk);
      assertEquals((float) 0.001, (float) model.learningRate("adam"));
      assertEquals(first, steps(model, batches));
    }
  }

  private static List<Double> steps(TrainableModel model, List<Batch> batches) {
    List<Double> losses = new ArrayList<>();
    for (Batch batch : batches) {
      losses.add(model.trainStep("adam", batch).loss());
      losses.add(model.trainStep("rmsprop", batch).loss());
    }
    return losses;
  }

  /**
   * The optimizers' updates wait for the model's shared reads through one NoOp: before, every op
   * of every optimizer carried one control edge per model variable, and building, optimizing and
   * scheduling those edges took half of a U-Net's load time (docs/direct.md, Speed).
   */
  @Test
  void optimizersWaitForTheReadsThroughOneOp() {
    try (DirectModel model = DirectModel.load(fixture("cnn_bn"),
        new DirectOptions(Optional.empty(), List.of("sgd", "adam")))) {
      GraphOperation readsDone = (GraphOperation) model.graph()
          .operation("lrfinder_training/reads_done");
      assertTrue(readsDone != null, "no reads_done op");
      Set<GraphOperation> reads = readsDone.controlInputs();
      assertTrue(reads.size() > 5, "reads_done waits for " + reads.size() + " reads");
      for (GraphOperation read : reads) {
        assertEquals(Set.of(readsDone), read.controlConsumers(), read.name());
      }
      long updates = readsDone.controlConsumers().stream()
          .filter(op -> op.name().contains("/update/")).count();
      assertTrue(updates > 0, readsDone.controlConsumers().toString());
    }
  }

  @Test
  void compiledOptimizerComesFirstThenSgdAndAdam() {
    try (DirectModel model = DirectModel.load(fixture("regression"), DirectOptions.defaults())) {
      assertEquals(List.of("sgd", "adam"), model.optimizers()); // compiled with SGD()
      String path = model.trainingPath().toString();
      assertEquals(TrainingPath.Kind.DIRECT, model.trainingPath().kind());
      assertTrue(path.startsWith("direct: trainable"), path);
      assertTrue(path.endsWith("loss mean_squared_error from training_config"), path);
      assertEquals(List.of("mae"), model.contract().metrics());
    }
  }

  @Test
  void unsupportedModelsAndOptionsGetOneSentence() {
    ModelException noLoss = assertThrows(ModelException.class,
        () -> DirectModel.load(fixture("uncompiled"), DirectOptions.defaults()));
    assertTrue(noLoss.getMessage().contains("--loss"), noLoss.getMessage());
    ModelException unknown = assertThrows(ModelException.class, () -> DirectModel.load(
        fixture("mlp"), new DirectOptions(Optional.empty(), List.of("lamb"))));
    assertTrue(unknown.getMessage().contains("adamw"), unknown.getMessage());
  }

  /** Embedding -> LSTM: its loop is unrolled (DirectRecurrentTest compares it with tf_keras). */
  @Test
  void anEmbeddingLstmTrainsWithItsLoopUnrolled() {
    try (DirectModel model = DirectModel.load(fixture("lstm"), DirectOptions.defaults())) {
      Batch batch = batches(model, "embedding.npz", 1).get(0);
      double before = model.evaluate(batch).loss();
      double first = model.trainStep("adam", batch).loss();
      double second = model.trainStep("adam", batch).loss();
      assertEquals(before, first, 1e-6 * before, "no dropout: the first step's loss is evaluate's");
      assertTrue(second < first, first + " then " + second);
    }
  }

  @Test
  void aLossOptionTrainsAnUncompiledModel() {
    KerasLoss loss = KerasLoss.parse("sparse_categorical_crossentropy");
    try (DirectModel model = DirectModel.load(fixture("uncompiled"),
        new DirectOptions(Optional.of(loss), List.of("sgd")))) {
      List<Batch> batches = batches(model, "mlp.npz", 5);
      model.setLearningRate("sgd", 0.1);
      double first = model.trainStep("sgd", batches.get(0)).loss();
      for (int i = 0; i < 30; i++) {
        model.trainStep("sgd", batches.get(i % 5));
      }
      assertTrue(model.evaluate(batches.get(0)).loss() < first, "SGD lowers the loss");
      assertEquals(Map.of(), model.trainStep("sgd", batches.get(1)).metrics());
    }
  }

  @Test
  void loaderChoosesThePathByWhatTheDirectoryHolds() {
    assertEquals(TrainingPath.Kind.EXPORTED,
        ModelLoader.choose(TestPaths.model("blobs_mlp")).kind());
    assertEquals(TrainingPath.Kind.DIRECT,
        ModelLoader.choose(TestPaths.model("keras2/blobs_mlp")).kind());
    assertThrows(ModelException.class,
        () -> ModelLoader.choose(TestPaths.fixture("inference_only")));
    ModelException loss = assertThrows(ModelException.class, () -> ModelLoader.load(
        TestPaths.model("blobs_mlp"), new DirectOptions(Optional.of(KerasLoss.parse("mse")),
            List.of())));
    assertTrue(loss.getMessage().contains("--loss only applies"), loss.getMessage());
  }
}
