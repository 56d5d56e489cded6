package dev.lrfinder.model;

import dev.lrfinder.data.Batch;
import dev.lrfinder.data.DataLayout;
import dev.lrfinder.data.Dataset;
import dev.lrfinder.data.NamedArray;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A model that Java trains batch by batch, with a settable learning rate per optimizer and exact
 * snapshots of all its variables.
 *
 * <p>Both training paths make each call atomic: one instance's steps, rate changes, snapshots and
 * restores never interleave across threads. A range test still wants one thread per instance
 * (steps from two threads would mix two runs' updates); give each its own instance (instances
 * share no variables, even when loaded from the same directory). Close it to free native
 * memory.
 */
public interface TrainableModel extends AutoCloseable {

  /** What the model offers: inputs, labels, loss, metrics and optimizers. */
  ModelContract contract();

  /**
   * How the model is trained: the signatures written by scripts/export.py or a graph lrfinder
   * builds from a Keras 2 SavedModel; its {@code toString()} is the one line shown to the user
   * ({@code exported: ...}, {@code direct: ...}).
   */
  TrainingPath trainingPath();

  /** Names of every variable that snapshots cover. */
  List<String> variableNames();

  /** The optimizer keys, in contract order. */
  default List<String> optimizers() {
    return contract().optimizerKeys();
  }

  /** The input of a model with one input. */
  default TensorSpec inputSpec() {
    return contract().input();
  }

  /** The label of a model with one output. */
  default TensorSpec labelSpec() {
    return contract().label();
  }

  /** What the model takes, for loading data: a slot per input and per output label. */
  default DataLayout layout() {
    ModelContract c = contract();
    List<DataLayout.Slot> inputs = c.inputs().stream()
        .map(i -> DataLayout.Slot.input(i.key(), i.dtype(), i.rowShape())).toList();
    List<DataLayout.Slot> outputs = c.outputs().stream().map(o -> {
      LabelValues values = o.label().values();
      DataLayout.LabelForm form = switch (values.kind()) {
        case CLASS_IDS -> DataLayout.LabelForm.CLASS_IDS;
        case PROBABILITIES -> values.loss().toLowerCase(Locale.ROOT).contains("categorical")
            ? DataLayout.LabelForm.ONE_HOT : DataLayout.LabelForm.VALUES;
        case ANY -> DataLayout.LabelForm.VALUES;
      };
      return new DataLayout.Slot(o.key(), o.label().dtype(), o.label().rowShape(), form,
          values.classes(), values.rule());
    }).toList();
    return new DataLayout(inputs, outputs);
  }

  /**
   * {@code data} matched to this model's inputs and outputs and fitted to their shapes (see
   * {@link Dataset#fitShapes}), its labels checked against the values each loss takes (see
   * {@link LabelValues}) and converted to the model's types, so that both training paths refuse
   * bad labels before training.
   */
  default Dataset conform(Dataset data) {
    DataLayout layout = layout();
    Dataset fitted = data.fitShapes(layout);
    for (int j = 0; j < fitted.labels().size(); j++) {
      NamedArray labels = fitted.labels().get(j);
      contract().outputs().get(j).label().values().check(labels.array(), labels.name());
    }
    return fitted.convertTypes(layout);
  }

  /** One step of {@code optimizer} on {@code batch}; returns the loss before the update. */
  StepResult trainStep(String optimizer, Batch batch);

  /**
   * Sets the learning rate of {@code optimizer} to {@code learningRate} and trains one step on
   * {@code batch} at it; the rate stays set afterwards, as after {@link #setLearningRate}. An
   * implementation may do both in one call into TensorFlow.
   */
  default StepResult trainStep(String optimizer, double learningRate, Batch batch) {
    setLearningRate(optimizer, learningRate);
    return trainStep(optimizer, batch);
  }

  /** Loss and metrics on {@code batch} in inference mode; changes no variable. */
  StepResult evaluate(Batch batch);

  /** The current value of the optimizer's own learning-rate variable. */
  double learningRate(String optimizer);

  void setLearningRate(String optimizer, double learningRate);

  /**
   * Whether {@link #setMomentum} can set the momentum of {@code optimizer}: SGD's or RMSprop's
   * {@code momentum}, Adam's or AdamW's {@code beta_1}, as one-cycle cycles it. False by default
   * and wherever the update has no momentum (SGD or RMSprop at momentum 0, Adagrad) or the model
   * cannot change it (an export without the momentum signatures of docs/contract.md, such as the
   * bundled ones: Keras traced the momentum into its step function as a constant).
   */
  default boolean hasSettableMomentum(String optimizer) {
    return false;
  }

  /**
   * The current momentum of {@code optimizer} as its variable holds it (float32).
   *
   * @throws UnsupportedOperationException without {@link #hasSettableMomentum}
   */
  default double momentum(String optimizer) {
    throw new UnsupportedOperationException("optimizer '" + optimizer
        + "' has no momentum this model can read or set");
  }

  /**
   * Sets the momentum of {@code optimizer} (in [0, 1]) for the following steps; it stays set.
   *
   * @throws UnsupportedOperationException without {@link #hasSettableMomentum}
   */
  default void setMomentum(String optimizer, double momentum) {
    throw new UnsupportedOperationException("optimizer '" + optimizer
        + "' has no momentum this model can read or set");
  }

  /**
   * {@link #trainStep(String, double, Batch)} with the momentum set to {@code momentum} first
   * (it stays set); an implementation may do all in one call into TensorFlow.
   *
   * @throws UnsupportedOperationException without {@link #hasSettableMomentum}
   */
  default StepResult trainStep(String optimizer, double learningRate, double momentum,
      Batch batch) {
    setMomentum(optimizer, momentum);
    return trainStep(optimizer, learningRate, batch);
  }

  /** Copies every variable into Java memory. */
  ModelSnapshot snapshot();

  /** Writes every variable to a checkpoint with prefix {@code prefix} (its directory must exist). */
  ModelSnapshot snapshotToDisk(Path prefix);

  /** Sets every variable back to the values of {@code snapshot}, bit for bit. */
  void restore(ModelSnapshot snapshot);

  @Override
  void close();
}
