package dev.lrfinder.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lrfinder.data.ArrayName;
import dev.lrfinder.data.DType;
import dev.lrfinder.data.DataException;
import dev.lrfinder.data.Dataset;
import dev.lrfinder.data.HostArray;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LabelValuesTest {
  private static final long[] THREE_CLASSES = {-1, 3};
  private static final ArrayName Y = ArrayName.npz(Path.of("d.npz"), "y_train");

  private static String refused(LabelValues values, HostArray labels) {
    return assertThrows(DataException.class, () -> values.check(labels, Y)).getMessage();
  }

  @Test
  void lossNamesMapToTheirKindOfLabel() {
    assertEquals(new LabelValues(LabelValues.Kind.CLASS_IDS, 3, "sparse_categorical_crossentropy"),
        LabelValues.forLoss("sparse_categorical_crossentropy", THREE_CLASSES));
    assertEquals(LabelValues.Kind.CLASS_IDS,
        LabelValues.forLoss("SparseCategoricalCrossentropy", THREE_CLASSES).kind());
    assertEquals(LabelValues.Kind.PROBABILITIES,
        LabelValues.forLoss("categorical_crossentropy", THREE_CLASSES).kind());
    assertEquals(LabelValues.Kind.PROBABILITIES,
        LabelValues.forLoss("binary_crossentropy", new long[] {-1, 1}).kind());
    assertEquals(LabelValues.ANY, LabelValues.forLoss("mean_squared_error", new long[] {-1, 1}));
    assertEquals(-1, LabelValues.forLoss("sparse_categorical_crossentropy", new long[0]).classes());
  }

  @Test
  void classIdsMustBeIntegersBelowTheClassCount() {
    LabelValues ids = LabelValues.forLoss("sparse_categorical_crossentropy", THREE_CLASSES);
    String rule = ", but the model's sparse_categorical_crossentropy needs integer class ids 0 to 2"
        + " (its output has 3 classes)";

    ids.check(HostArray.ofInts(new long[] {4}, 0, 1, 2, 0), Y);
    assertEquals("y_train[2] in 'd.npz' is 99" + rule,
        refused(ids, HostArray.ofInts(new long[] {4}, 0, 1, 99, 0)));
    assertEquals("y_train[0] in 'd.npz' is -1" + rule,
        refused(ids, HostArray.ofInts(new long[] {2}, -1, 0)));
    assertEquals("y_train[1] in 'd.npz' is 2.5" + rule,
        refused(ids, HostArray.ofFloats(new long[] {2}, 1, 2.5f)));
    assertEquals("y_train[0] in 'd.npz' is 3" + rule,
        refused(ids, HostArray.ofInts(new long[] {1}, 3)));
  }

  @Test
  void withoutAKnownClassCountClassIdsNeedOnlyBeNaturalNumbers() {
    LabelValues ids = LabelValues.forLoss("sparse_categorical_crossentropy", new long[0]);

    ids.check(HostArray.ofInts(new long[] {2}, 0, 1000), Y);
    assertEquals("y_train[0] in 'd.npz' is -3, but the model's sparse_categorical_crossentropy"
        + " needs integer class ids from 0", refused(ids, HostArray.ofInts(new long[] {1}, -3)));
  }

  @Test
  void crossentropiesOnProbabilitiesNeedValuesInZeroToOne() {
    LabelValues binary = LabelValues.forLoss("binary_crossentropy", new long[] {-1, 1});
    LabelValues categorical = LabelValues.forLoss("categorical_crossentropy", THREE_CLASSES);

    binary.check(HostArray.ofFloats(new long[] {3, 1}, 0, 0.25f, 1), Y);
    assertEquals("y_train[1, 0] in 'd.npz' is 2, but the model's binary_crossentropy needs labels"
        + " in [0, 1]", refused(binary, HostArray.ofFloats(new long[] {2, 1}, 1, 2)));
    assertEquals("y_train[0, 2] in 'd.npz' is -1, but the model's categorical_crossentropy needs"
        + " one row of 3 class probabilities in [0, 1] per sample (one-hot; for class ids use"
        + " sparse_categorical_crossentropy)",
        refused(categorical, HostArray.ofFloats(new long[] {1, 3}, 1, 0, -1)));
  }

  @Test
  void regressionLabelsTakeAnyValue() {
    LabelValues.ANY.check(HostArray.ofFloats(new long[] {2}, -1e30f, 99), Y);
  }

  @Test
  void conformChecksLabelsBeforeConvertingThem() {
    TrainableModel model = new ScriptedContractModel(new TensorSpec("x", DType.FLOAT32,
        new long[] {-1, 1}), new TensorSpec("y", DType.INT32, new long[] {-1},
        LabelValues.forLoss("sparse_categorical_crossentropy", THREE_CLASSES)));
    Dataset data = new Dataset(HostArray.ofFloats(new long[] {2, 1}, 0, 0),
        HostArray.ofFloats(new long[] {2}, 1, 7));

    DataException e = assertThrows(DataException.class, () -> model.conform(data));

    assertEquals("labels[1] is 7, but the model's sparse_categorical_crossentropy needs integer"
        + " class ids 0 to 2 (its output has 3 classes)", e.getMessage());
  }

  @Test
  void conformTurnsClassIdsIntoOneHotRowsForACategoricalLoss() {
    Dataset conformed = categorical().conform(new Dataset(HostArray.ofFloats(new long[] {2, 1}, 0, 0),
        HostArray.ofInts(new long[] {2}, 1, 2)));

    assertEquals(HostArray.ofFloats(THREE_CLASSES_OF_TWO, 0, 1, 0, 0, 0, 1), conformed.y());
  }

  @Test
  void conformRefusesClassIdsOutsideTheClassesSayingWhatTheModelExpects() {
    Dataset data = new Dataset(HostArray.ofFloats(new long[] {2, 1}, 0, 0),
        HostArray.ofInts(new long[] {2}, 1, 5));

    DataException e = assertThrows(DataException.class, () -> categorical().conform(data));

    assertEquals("labels[1] is 5, which is no class id 0 to 2, and a label of shape [2] can only"
        + " be class ids; the model's categorical_crossentropy needs one row of 3 class"
        + " probabilities in [0, 1] per sample (one-hot; for class ids use"
        + " sparse_categorical_crossentropy)", e.getMessage());
  }

  @Test
  void conformNamesWhatTheLabelsShouldBeWhenTheirShapeIsWrong() {
    Dataset data = new Dataset(HostArray.ofFloats(new long[] {2, 1}, 0, 0),
        HostArray.ofFloats(new long[] {2, 2}, 1, 0, 0, 1));

    DataException e = assertThrows(DataException.class, () -> categorical().conform(data));

    assertEquals("shape [2, 2] of labels does not fit the model, which expects [batch, 3]; the"
        + " model's categorical_crossentropy needs one row of 3 class probabilities in [0, 1] per"
        + " sample (one-hot; for class ids use sparse_categorical_crossentropy)", e.getMessage());
  }

  private static TrainableModel categorical() {
    return new ScriptedContractModel(new TensorSpec("x", DType.FLOAT32,
        new long[] {-1, 1}), new TensorSpec("y", DType.FLOAT32, THREE_CLASSES,
        LabelValues.forLoss("categorical_crossentropy", THREE_CLASSES)));
  }

  private static final long[] THREE_CLASSES_OF_TWO = {2, 3};

  @Test
  void aLabelSpecShowsItsValues() {
    TensorSpec spec = new TensorSpec("y", DType.INT32, new long[] {-1},
        LabelValues.forLoss("sparse_categorical_crossentropy", new long[] {-1, 10}));

    assertEquals("y: int32[?], class ids 0 to 9", spec.toString());
    assertEquals("x: float32[?, 2]", new TensorSpec("x", DType.FLOAT32, new long[] {-1, 2}).toString());
  }

  /** A model that only has specs: conform is all these tests call. */
  private record ScriptedContractModel(TensorSpec inputSpec, TensorSpec labelSpec)
      implements TrainableModel {
    @Override
    public ModelContract contract() {
      return new ModelContract(1, "scripted", null, 0, 0, inputSpec, labelSpec,
          labelSpec.values().loss(), java.util.List.of(), java.util.List.of(
              new OptimizerInfo("sgd", "SGD", java.util.Map.of(), 0.01)), "-", "-");
    }

    @Override
    public TrainingPath trainingPath() {
      return TrainingPath.exported("specs only");
    }

    @Override
    public java.util.List<String> variableNames() {
      return java.util.List.of();
    }

    @Override
    public StepResult trainStep(String optimizer, dev.lrfinder.data.Batch batch) {
      throw new UnsupportedOperationException();
    }

    @Override
    public StepResult evaluate(dev.lrfinder.data.Batch batch) {
      throw new UnsupportedOperationException();
    }

    @Override
    public double learningRate(String optimizer) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void setLearningRate(String optimizer, double learningRate) {
      throw new UnsupportedOperationException();
    }

    @Override
    public ModelSnapshot snapshot() {
      throw new UnsupportedOperationException();
    }

    @Override
    public ModelSnapshot snapshotToDisk(Path prefix) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void restore(ModelSnapshot snapshot) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void close() {}
  }
}
