package dev.lrfinder.model;

import dev.lrfinder.data.Batch;
import dev.lrfinder.data.Dataset;
import java.nio.file.Path;
import java.util.List;

/**
 * A model that Java trains batch by batch, with a settable learning rate per optimizer and exact
 * snapshots of all its variables.
 *
 * <p>An instance is not safe for concurrent use: give each thread its own (instances share no
 * variables, even when loaded from the same directory). Close it to free native memory.
 */
public interface TrainableModel extends AutoCloseable {

  /** What the model offers: inputs, labels, loss, metrics and optimizers. */
  ModelContract contract();

  /**
   * How the model is trained, in one line: {@code exported: ...} (signatures written by
   * scripts/export.py) or {@code direct: ...} (a graph lrfinder builds from a Keras 2 SavedModel).
   */
  String trainingPath();

  /** Names of every variable that snapshots cover. */
  List<String> variableNames();

  /** The optimizer keys, in contract order. */
  default List<String> optimizers() {
    return contract().optimizerKeys();
  }

  default TensorSpec inputSpec() {
    return contract().input();
  }

  default TensorSpec labelSpec() {
    return contract().label();
  }

  /**
   * {@code data} converted to this model's input and label types, checked against their shapes
   * (see {@link Dataset#conformTo}) and its labels against the values the loss takes (see
   * {@link LabelValues}), so that both training paths refuse bad labels before training.
   */
  default Dataset conform(Dataset data) {
    TensorSpec x = inputSpec();
    TensorSpec y = labelSpec();
    data.requireRowShapes(x.rowShape(), y.rowShape(), y.values().rule());
    y.values().check(data.y(), data.yName());
    return data.conformTo(x.dtype(), x.rowShape(), y.dtype(), y.rowShape());
  }

  /** One step of {@code optimizer} on {@code batch}; returns the loss before the update. */
  StepResult trainStep(String optimizer, Batch batch);

  /** Loss and metrics on {@code batch} in inference mode; changes no variable. */
  StepResult evaluate(Batch batch);

  /** The current value of the optimizer's own learning-rate variable. */
  double learningRate(String optimizer);

  void setLearningRate(String optimizer, double learningRate);

  /** Copies every variable into Java memory. */
  ModelSnapshot snapshot();

  /** Writes every variable to a checkpoint with prefix {@code prefix} (its directory must exist). */
  ModelSnapshot snapshotToDisk(Path prefix);

  /** Sets every variable back to the values of {@code snapshot}, bit for bit. */
  void restore(ModelSnapshot snapshot);

  @Override
  void close();
}
