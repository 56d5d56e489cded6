package dev.lrfinder.rangetest;

import dev.lrfinder.data.Batch;
import dev.lrfinder.data.DType;
import dev.lrfinder.data.HostArray;
import dev.lrfinder.model.ModelContract;
import dev.lrfinder.model.ModelSnapshot;
import dev.lrfinder.model.OptimizerInfo;
import dev.lrfinder.model.StepResult;
import dev.lrfinder.model.TensorSpec;
import dev.lrfinder.model.TrainableModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A model without TensorFlow whose training is plain gradient descent on {@code (w - 1)^2}: one
 * weight {@code w} from 0, so a step at rate {@code lr} gives {@code w <- w - lr * 2 (w - 1)}.
 * After N steps the loss is {@code (1 - 2 lr)^(2N)}: 0.5 reaches the minimum in one step,
 * smaller rates approach it more slowly, rates above 1 diverge. Its held-out loss is the same
 * function of {@code w}, so the ranking of rates is known in closed form.
 */
final class QuadraticModel implements TrainableModel {
  private final List<String> optimizers;
  private double w;
  private double rate = 0.25;
  int restores;
  int trainSteps;

  QuadraticModel(String... optimizers) {
    this.optimizers = List.of(optimizers);
  }

  double weight() {
    return w;
  }

  @Override
  public List<String> variableNames() {
    return List.of("w");
  }

  @Override
  public dev.lrfinder.model.TrainingPath trainingPath() {
    return dev.lrfinder.model.TrainingPath.exported("quadratic, a test double");
  }

  @Override
  public ModelContract contract() {
    List<OptimizerInfo> infos = new ArrayList<>();
    optimizers.forEach(k -> infos.add(new OptimizerInfo(k, "Quadratic", Map.of(), 0.25)));
    return new ModelContract(1, "quadratic", null, 0, 0,
        new TensorSpec("x", DType.FLOAT32, new long[] {-1, 1}),
        new TensorSpec("y", DType.FLOAT32, new long[] {-1}), "mse", List.of(), infos, "-", "-");
  }

  @Override
  public List<String> optimizers() {
    return optimizers;
  }

  @Override
  public StepResult trainStep(String optimizer, Batch batch) {
    trainSteps++;
    double loss = (w - 1) * (w - 1);
    w = w - rate * 2 * (w - 1);
    return new StepResult(loss, Map.of());
  }

  @Override
  public StepResult evaluate(Batch batch) {
    return new StepResult((w - 1) * (w - 1), Map.of());
  }

  @Override
  public double learningRate(String optimizer) {
    return rate;
  }

  @Override
  public void setLearningRate(String optimizer, double learningRate) {
    rate = learningRate;
  }

  @Override
  public ModelSnapshot snapshot() {
    return new ModelSnapshot.InMemory(List.of("w", "lr"),
        List.of(scalar(w), scalar(rate)));
  }

  private static HostArray scalar(double value) {
    byte[] bytes = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN)
        .putDouble(value).array();
    return HostArray.of(DType.FLOAT64, new long[] {1}, bytes);
  }

  @Override
  public ModelSnapshot snapshotToDisk(Path prefix) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void restore(ModelSnapshot snapshot) {
    restores++;
    ModelSnapshot.InMemory saved = (ModelSnapshot.InMemory) snapshot;
    w = saved.values().get(0).getDouble(0);
    rate = saved.values().get(1).getDouble(0);
  }

  @Override
  public void close() {}
}
