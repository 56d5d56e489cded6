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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;

/**
 * A model without TensorFlow for engine tests: the loss of a step is a function of the learning
 * rate it trains at, and its only state is a step counter plus the learning rates, so snapshots
 * and restores are observable.
 */
final class ScriptedModel implements TrainableModel {
  private final DoubleUnaryOperator lossOfLr;
  private final Map<String, Double> rates = new HashMap<>();
  private final List<Long> firstRowsSeen = new ArrayList<>();
  private long steps;
  int restores;

  ScriptedModel(DoubleUnaryOperator lossOfLr, String... optimizers) {
    this.lossOfLr = lossOfLr;
    for (String optimizer : optimizers) {
      rates.put(optimizer, 0.5); // exact in float32, as snapshots store it
    }
  }

  long steps() {
    return steps;
  }

  List<Long> firstRowsSeen() {
    return firstRowsSeen;
  }

  @Override
  public List<String> variableNames() {
    return List.of();
  }

  @Override
  public dev.lrfinder.model.TrainingPath trainingPath() {
    return dev.lrfinder.model.TrainingPath.exported("scripted, a test double");
  }

  @Override
  public ModelContract contract() {
    List<OptimizerInfo> infos = new ArrayList<>();
    rates.keySet().stream().sorted().forEach(k -> infos.add(new OptimizerInfo(k, "Scripted", Map.of(), 0.01)));
    return new ModelContract(1, "scripted", null, 0, 0,
        new TensorSpec("x", DType.FLOAT32, new long[] {-1, 1}),
        new TensorSpec("y", DType.FLOAT32, new long[] {-1}), "mse", List.of(), infos, "-", "-");
  }

  @Override
  public StepResult trainStep(String optimizer, Batch batch) {
    steps++;
    firstRowsSeen.add((long) batch.x().getDouble(0));
    return new StepResult(lossOfLr.applyAsDouble(rates.get(optimizer)), Map.of());
  }

  @Override
  public StepResult evaluate(Batch batch) {
    return new StepResult(1.0, Map.of());
  }

  @Override
  public double learningRate(String optimizer) {
    return rates.get(optimizer);
  }

  @Override
  public void setLearningRate(String optimizer, double learningRate) {
    rates.put(optimizer, learningRate);
  }

  @Override
  public ModelSnapshot snapshot() {
    List<String> names = new ArrayList<>(rates.keySet());
    List<HostArray> values = new ArrayList<>();
    for (String name : names) {
      values.add(HostArray.ofFloats(new long[] {2}, (float) steps, rates.get(name).floatValue()));
    }
    return new ModelSnapshot.InMemory(names, values);
  }

  @Override
  public ModelSnapshot snapshotToDisk(Path prefix) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void restore(ModelSnapshot snapshot) {
    restores++;
    ModelSnapshot.InMemory saved = (ModelSnapshot.InMemory) snapshot;
    for (int i = 0; i < saved.variableNames().size(); i++) {
      steps = (long) saved.values().get(i).getDouble(0);
      rates.put(saved.variableNames().get(i), saved.values().get(i).getDouble(1));
    }
  }

  @Override
  public void close() {}
}
