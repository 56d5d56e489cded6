package dev.lrfinder.lab;

import dev.lrfinder.data.DataFile;
import dev.lrfinder.data.Dataset;
import dev.lrfinder.data.MemoryBudget;
import dev.lrfinder.model.ModelSnapshot;
import dev.lrfinder.model.TrainableModel;
import dev.lrfinder.rangetest.CancellationToken;
import dev.lrfinder.rangetest.RangeTest;
import dev.lrfinder.rangetest.RangeTestConfig;
import dev.lrfinder.rangetest.RangeTestResult;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The inputs of a {@link SweepJob} opened in one JVM: the model, its data and the model's state
 * right after loading, from which every run starts, as every run of a local {@link Sweep} starts
 * from the state the model had when the sweep began. A worker of a distributed backend opens one
 * and runs one planned run at a time on it ({@link #run}); the result equals that run of a local
 * {@link Sweep} on a freshly opened model, bit for bit (same start state, same config, same batch
 * order). Not thread-safe: one run at a time; {@link #close} closes the model.
 */
public final class LoadedSweep implements AutoCloseable {
  private final SweepJob.Inputs inputs;
  private final TrainableModel model;
  private final Dataset train;
  private final Dataset test;
  private final ModelSnapshot start;

  private LoadedSweep(SweepJob.Inputs inputs, TrainableModel model, Dataset train, Dataset test,
      ModelSnapshot start) {
    this.inputs = inputs;
    this.model = model;
    this.train = train;
    this.test = test;
    this.start = start;
  }

  /**
   * Opens the model and loads the data of {@code inputs} (the training split and, when the file
   * has one, the test split, as {@code lrfinder sweep} loads them), and takes the start state.
   * Throws what opening the model and loading the data throw (a model lrfinder cannot train, a
   * model the safety scan refuses, data that does not fit).
   */
  public static LoadedSweep open(SweepJob.Inputs inputs) {
    TrainableModel model = inputs.openModel();
    try {
      DataFile.Splits splits = DataFile.load(Path.of(inputs.dataFile()), model.layout(),
          inputs.labelColumn(), MemoryBudget.heap());
      Dataset train = model.conform(splits.train());
      Dataset test = splits.test().map(model::conform).orElse(null);
      return new LoadedSweep(inputs, model, train, test, model.snapshot());
    } catch (RuntimeException | Error e) {
      model.close();
      throw e;
    }
  }

  /** What was opened. */
  public SweepJob.Inputs inputs() {
    return inputs;
  }

  /** The rows of the training split (before any validation split). */
  public long trainRows() {
    return train.rows();
  }

  /**
   * The runs of {@code plan} fitted to this model and data, as the driver of a sweep fits them
   * ({@link SweepPlan#runs}).
   */
  public List<SweepRun> runs(SweepPlan plan) {
    return plan.runs(model, train.rows());
  }

  /**
   * Puts the start state back and trains run {@code index} of {@code plan}, as {@link Sweep}
   * trains it: on the run's own validation split when it has one, else on the file's test split.
   *
   * @throws IllegalArgumentException as {@link EpochTrainer#run} throws for the run
   */
  public TrainingResult run(SweepPlan plan, int index, CancellationToken token) {
    Objects.requireNonNull(token, "token");
    model.restore(start);
    SweepRun run = runs(plan).get(index);
    return new EpochTrainer(run.config(), List.of()).run(model, train,
        run.config().validationSplit() > 0 ? null : test, token);
  }

  /** The optimizer keys a range test runs when its config names none, in order. */
  public List<String> optimizers() {
    return model.optimizers();
  }

  /**
   * Puts the start state back and runs the range test {@code config} describes on the config's
   * seeded batches of the training split, validating on the file's test split when the config
   * asks for validation batches: as {@link RangeTest#run(TrainableModel, Dataset, Dataset)} on a
   * freshly opened model, bit for bit. One cell of a range-test grid (one optimizer, one seed) is
   * a config naming one optimizer.
   *
   * @throws IllegalArgumentException as {@link RangeTest#run} throws
   */
  public RangeTestResult rangeTest(RangeTestConfig config, CancellationToken token) {
    model.restore(start);
    return new RangeTest(config).run(model, config.batches(train), test, token);
  }

  /** Closes the model. */
  @Override
  public void close() {
    model.close();
  }
}
