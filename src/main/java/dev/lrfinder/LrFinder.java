package dev.lrfinder;

import dev.lrfinder.data.Batch;
import dev.lrfinder.data.BatchSource;
import dev.lrfinder.data.DataFile;
import dev.lrfinder.data.Dataset;
import dev.lrfinder.data.HostArray;
import dev.lrfinder.data.MemoryBudget;
import dev.lrfinder.data.NamedArray;
import dev.lrfinder.direct.DirectModel;
import dev.lrfinder.direct.DirectOptions;
import dev.lrfinder.direct.KerasLoss;
import dev.lrfinder.loader.ModelLoader;
import dev.lrfinder.model.ModelContract;
import dev.lrfinder.model.TrainingPath;
import dev.lrfinder.model.TrainableModel;
import dev.lrfinder.rangetest.CancellationToken;
import dev.lrfinder.rangetest.HeldOut;
import dev.lrfinder.rangetest.RangeTest;
import dev.lrfinder.rangetest.RangeTestConfig;
import dev.lrfinder.rangetest.RangeTestResult;
import dev.lrfinder.rangetest.RunControl;
import dev.lrfinder.rangetest.Verification;
import dev.lrfinder.rangetest.VerificationResult;
import dev.lrfinder.report.DataScale;
import dev.lrfinder.safety.ModelTrust;
import dev.lrfinder.suggest.AnalysisSettings;
import dev.lrfinder.suggest.Candidates;
import dev.lrfinder.suggest.RangeTestAnalysis;
import dev.lrfinder.suggest.RepeatedRuns;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The learning-rate range test in a few lines: open a SavedModel, load data, run, read the
 * suggestions.
 *
 * <pre>{@code
 * try (LrFinder finder = LrFinder.open(Path.of("savedmodels/blobs_mlp"))) {
 *   Dataset data = finder.loadData(Path.of("savedmodels/blobs_mlp.npz"));
 *   FinderResult result = finder.rangeTest(data, RangeTestConfig.builder().build());
 *   double lr = result.suggestion("adam", "valley").learningRate();
 *   result.writeReport(Path.of("reports/blobs"));
 * }
 * }</pre>
 *
 * <p><b>Threads.</b> An instance holds one model and runs one range test at a time: give each
 * thread its own {@code LrFinder} (instances share nothing, even when opened from the same
 * directory, so several range tests can run at once on separate instances). A second call that
 * would use the model while another thread's range test runs throws
 * {@link IllegalStateException} at once, instead of interleaving the two runs' steps.
 *
 * <p><b>Cancellation.</b> Pass a {@link RunControl} with a {@link CancellationToken}, or use
 * {@link #submit}: its future's {@code cancel} cancels the token. A cancelled run stops before
 * its next step, restores the model and returns normally, its last curve ending with
 * {@link dev.lrfinder.rangetest.StopReason#CANCELLED} ({@link FinderResult#cancelled()}); only
 * a cancelled future's {@code get} throws {@link java.util.concurrent.CancellationException}, as
 * every cancelled future does. An interrupt of the running thread stops a run the same way, with
 * {@code INTERRUPTED}.
 *
 * <p>The library installs no shutdown hook, sets no system property and prints nothing; what
 * the user should know comes back as {@link FinderResult#notes()}.
 */
public final class LrFinder implements AutoCloseable {

  /**
   * How to open a model.
   *
   * @param trust {@link ModelTrust#SCAN_FIRST} (the default) scans the SavedModel's ops and
   *     refuses files, network, Python and unknown ops before anything of it runs (see
   *     docs/safety.md); {@link ModelTrust#TRUSTED} runs it unscanned: a SavedModel is a program
   * @param loss the Keras loss of a Keras 2 SavedModel trained directly, e.g. {@code "mse"} or
   *     {@code "sparse_categorical_crossentropy:from_logits"}; empty: its training config's.
   *     Refused for an exported model, which carries its own
   * @param optimizers the optimizer keys a directly trained model builds; empty: its compiled
   *     optimizer plus {@code sgd} and {@code adam} (an exported model has its own)
   * @param seed keys a directly trained model's random ops (Dropout masks); the batch order's
   *     seed is {@link RangeTestConfig#seed()}
   */
  public record Options(ModelTrust trust, Optional<String> loss, List<String> optimizers,
      long seed) {
    public Options {
      Objects.requireNonNull(trust, "trust");
      Objects.requireNonNull(loss, "loss");
      optimizers = List.copyOf(optimizers);
    }

    /** Scan first, the model's own loss and optimizers, seed 0. */
    public static Options defaults() {
      return new Options(ModelTrust.SCAN_FIRST, Optional.empty(), List.of(),
          RangeTestConfig.DEFAULT_SEED);
    }

    public Options withTrust(ModelTrust trust) {
      return new Options(trust, loss, optimizers, seed);
    }

    public Options withLoss(String loss) {
      return new Options(trust, Optional.of(loss), optimizers, seed);
    }

    public Options withOptimizers(List<String> optimizers) {
      return new Options(trust, loss, optimizers, seed);
    }

    public Options withOptimizers(String... optimizers) {
      return withOptimizers(List.of(optimizers));
    }

    public Options withSeed(long seed) {
      return new Options(trust, loss, optimizers, seed);
    }

    /** The loader's options these map onto. */
    DirectOptions directOptions() {
      return new DirectOptions(loss.map(KerasLoss::parse), optimizers).withTrust(trust)
          .withSeed(seed);
    }
  }

  private final Path modelDir;
  private final TrainableModel model;
  private final List<String> modelNotes;
  private final List<String> dataNotes = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final ReentrantLock inUse = new ReentrantLock();
  private volatile CancellationToken running;
  private volatile boolean closing;
  private volatile boolean closed;

  private LrFinder(Path modelDir, TrainableModel model, List<String> modelNotes) {
    this.modelDir = modelDir;
    this.model = model;
    this.modelNotes = List.copyOf(modelNotes);
  }

  /** Opens {@code modelDir} with {@link Options#defaults()}. */
  public static LrFinder open(Path modelDir) {
    return open(modelDir, Options.defaults());
  }

  /**
   * Opens {@code modelDir} by the path that suits it: lrfinder's training contract when the
   * SavedModel was exported with {@code scripts/export.py}, else direct training of a Keras 2
   * SavedModel.
   *
   * @throws dev.lrfinder.model.ModelException when the directory is no model lrfinder can train,
   *     in one sentence
   * @throws dev.lrfinder.safety.UnsafeModelException when the safety scan refuses it
   */
  public static LrFinder open(Path modelDir, Options options) {
    TrainableModel model = ModelLoader.load(modelDir, options.directOptions());
    List<String> notes = new ArrayList<>();
    if (options.trust() == ModelTrust.TRUSTED) {
      notes.add("'" + modelDir + "' ran without lrfinder's safety check of its ops");
    }
    notes.addAll(model.contract().notes());
    if (model instanceof DirectModel direct) {
      notes.addAll(direct.warnings());
    }
    return new LrFinder(modelDir, model, notes);
  }

  /** What the model offers: inputs, labels, loss, metrics and optimizers. */
  public ModelContract contract() {
    return model.contract();
  }

  /** The optimizer keys a range test runs when the config names none, in order. */
  public List<String> optimizers() {
    return model.optimizers();
  }

  /** How the model is trained: its kind and, as {@code toString()}, one line of detail. */
  public TrainingPath trainingPath() {
    return model.trainingPath();
  }

  /**
   * The training split of a data file ({@code .npz} with {@code x_train}/{@code y_train}, or
   * {@code .csv} with a {@code label} column), loaded for this model and conformed to it.
   *
   * @throws dev.lrfinder.data.DataException in one sentence when the file does not fit the model
   */
  public Dataset loadData(Path npzOrCsv) {
    return loadSplits(npzOrCsv).train();
  }

  /**
   * The held-out split of a data file ({@code x_test}/{@code y_test}), conformed to the model,
   * or empty when the file has none: the validation data of
   * {@link #rangeTest(Dataset, Dataset, RangeTestConfig)}.
   */
  public Optional<Dataset> loadTestData(Path npz) {
    return loadSplits(npz).test();
  }

  private DataFile.Splits loadSplits(Path file) {
    requireOpen();
    DataFile.Splits splits = DataFile.load(file, model.layout(), "label", MemoryBudget.heap());
    splits.notes().stream().filter(n -> !dataNotes.contains(n)).forEach(dataNotes::add);
    return new DataFile.Splits(model.conform(splits.train()),
        splits.test().map(model::conform), splits.notes());
  }

  /** Runs the range test on {@code train} (conformed to the model here). */
  public FinderResult rangeTest(Dataset train, RangeTestConfig config) {
    return rangeTest(train, config, RunControl.none());
  }

  /**
   * Runs the range test on {@code train}, the curve following the loss on {@code validation}
   * ({@link RangeTestConfig#validationBatches()} of its batches, which must be &gt; 0).
   */
  public FinderResult rangeTest(Dataset train, Dataset validation, RangeTestConfig config) {
    return rangeTest(train, validation, config, RunControl.none());
  }

  /**
   * Runs the range test on the batches of {@code train}, each conformed to the model here. The
   * source decides the order (the config's shuffle and seed do not apply); its batch size must
   * be the config's ({@link RangeTestConfig#batchSize()}), which validation batches use too.
   *
   * @throws IllegalArgumentException when the batch sizes differ
   */
  public FinderResult rangeTest(BatchSource train, RangeTestConfig config) {
    return rangeTest(train, config, RunControl.none());
  }

  /** As {@link #rangeTest(Dataset, RangeTestConfig)}, with listeners and a token. */
  public FinderResult rangeTest(Dataset train, RangeTestConfig config, RunControl control) {
    return run(Objects.requireNonNull(train, "train"), null, null, config, control);
  }

  /** As {@link #rangeTest(Dataset, Dataset, RangeTestConfig)}, with listeners and a token. */
  public FinderResult rangeTest(Dataset train, Dataset validation, RangeTestConfig config,
      RunControl control) {
    return run(Objects.requireNonNull(train, "train"), null,
        Objects.requireNonNull(validation, "validation"), config, control);
  }

  /** As {@link #rangeTest(BatchSource, RangeTestConfig)}, with listeners and a token. */
  public FinderResult rangeTest(BatchSource train, RangeTestConfig config, RunControl control) {
    return run(null, Objects.requireNonNull(train, "train"), null, config, control);
  }

  /** Runs {@link #rangeTest(Dataset, RangeTestConfig)} on {@code executor}. */
  public Future<FinderResult> submit(ExecutorService executor, Dataset train,
      RangeTestConfig config) {
    return submit(executor, train, config, RunControl.none());
  }

  /**
   * Runs {@link #rangeTest(Dataset, RangeTestConfig, RunControl)} on {@code executor}. The
   * future's {@code cancel} cancels {@code control}'s token (and with {@code true} also
   * interrupts the thread): the run stops before its next step and restores the model.
   */
  public Future<FinderResult> submit(ExecutorService executor, Dataset train,
      RangeTestConfig config, RunControl control) {
    Objects.requireNonNull(train, "train");
    return submit(executor, control, () -> run(train, null, null, config, control));
  }

  /** Runs {@link #rangeTest(Dataset, Dataset, RangeTestConfig, RunControl)} on {@code executor}. */
  public Future<FinderResult> submit(ExecutorService executor, Dataset train, Dataset validation,
      RangeTestConfig config, RunControl control) {
    Objects.requireNonNull(train, "train");
    Objects.requireNonNull(validation, "validation");
    return submit(executor, control, () -> run(train, null, validation, config, control));
  }

  /** Runs {@link #rangeTest(BatchSource, RangeTestConfig, RunControl)} on {@code executor}. */
  public Future<FinderResult> submit(ExecutorService executor, BatchSource train,
      RangeTestConfig config, RunControl control) {
    Objects.requireNonNull(train, "train");
    return submit(executor, control, () -> run(null, train, null, config, control));
  }

  private static Future<FinderResult> submit(ExecutorService executor, RunControl control,
      Callable<FinderResult> job) {
    CancellationToken token = control.token();
    FutureTask<FinderResult> task = new FutureTask<>(job) {
      @Override
      public boolean cancel(boolean mayInterruptIfRunning) {
        token.cancel();
        return super.cancel(mayInterruptIfRunning);
      }
    };
    executor.execute(task);
    return task;
  }

  private FinderResult run(Dataset train, BatchSource source, Dataset validation,
      RangeTestConfig config, RunControl control) {
    Objects.requireNonNull(config, "config");
    return exclusive(control, () -> {
      Instant started = Instant.now();
      Dataset conformedTrain = train == null ? null : model.conform(train);
      Dataset conformedValidation = validation == null ? null : model.conform(validation);
      BatchSource batches = conformedTrain != null ? config.batches(conformedTrain)
          : new ConformedSource(source, model);
      RangeTestResult result = new RangeTest(config, control.listeners())
          .run(model, batches, conformedValidation, control.token());
      return finderResult(result, conformedTrain, started, null);
    });
  }

  private FinderResult finderResult(RangeTestResult result, Dataset conformedTrain,
      Instant started, RepeatedRuns repeats) {
    List<String> warnings = new ArrayList<>(modelNotes);
    warnings.addAll(dataNotes);
    if (conformedTrain != null) {
      warnings.addAll(DataScale.warnings(conformedTrain, model.contract(), result));
    }
    return new FinderResult(modelDir, model.contract(), trainingPath().toString(), result,
        RangeTestAnalysis.of(result, AnalysisSettings.defaults()), warnings, started, null,
        repeats);
  }

  /**
   * Runs the range test {@code repeats} times with the batch orders of seeds
   * {@code config.seed()}, {@code seed + 1}, ..., each from the same start state
   * ({@code find --repeats K}). The result's curves and suggestions are the first run's;
   * {@link FinderResult#repeats()} holds all runs, the mean curves with their min-max band and
   * each rule's spread over the runs.
   *
   * @param validation held-out data for validation mode, or {@code null}
   * @throws IllegalArgumentException for {@code repeats < 1}
   */
  public FinderResult repeatedRangeTest(Dataset train, Dataset validation,
      RangeTestConfig config, int repeats, RunControl control) {
    Objects.requireNonNull(train, "train");
    Objects.requireNonNull(config, "config");
    if (repeats < 1) {
      throw new IllegalArgumentException("repeats must be >= 1, got " + repeats);
    }
    return exclusive(control, () -> {
      Instant started = Instant.now();
      Dataset conformedTrain = model.conform(train);
      Dataset conformedValidation = validation == null ? null : model.conform(validation);
      List<RangeTestResult> runs = new RangeTest(config, control.listeners())
          .runRepeated(model, conformedTrain, conformedValidation, repeats, control.token());
      return finderResult(runs.get(0), conformedTrain, started,
          RepeatedRuns.of(runs, AnalysisSettings.defaults()));
    });
  }

  /** As {@link #repeatedRangeTest(Dataset, Dataset, RangeTestConfig, int, RunControl)}. */
  public FinderResult repeatedRangeTest(Dataset train, RangeTestConfig config, int repeats) {
    return repeatedRangeTest(train, null, config, repeats, RunControl.none());
  }

  /**
   * Verifies {@code result}'s suggestions by training ({@code find --verify N}): for each
   * optimizer, trains {@code steps} steps at each distinct suggested rate
   * ({@link Candidates}) from the model's current state (the state the range test started
   * from and restored), on the first {@code steps} batches of the range test's seeded order,
   * and ranks the rates by the loss on {@code heldOut} after training, over all its rows. The
   * model is restored afterwards, bit for bit.
   *
   * @param result a result of this finder's range test on {@code train}
   * @param heldOut data never trained on (e.g. {@link #loadTestData}); {@code null} holds out
   *     the last 20% of {@code train}'s rows instead ({@link HeldOut#validationSplit}) and trains
   *     on the rest
   * @return {@code result} with {@link FinderResult#verification()}
   * @throws IllegalArgumentException for {@code steps < 1}
   */
  public FinderResult verify(FinderResult result, Dataset train, Dataset heldOut, int steps,
      RunControl control) {
    Objects.requireNonNull(result, "result");
    Objects.requireNonNull(train, "train");
    RangeTestConfig config = result.rangeTestResult().config();
    Verification verification = new Verification(steps, config.snapshotOnDisk(),
        control.listeners());
    return exclusive(control, () -> {
      Dataset conformed = model.conform(train);
      HeldOut split = heldOut == null ? HeldOut.validationSplit(conformed)
          : HeldOut.testSplit(conformed, model.conform(heldOut));
      VerificationResult verified = verification.run(model, config.batches(split.train()),
          split.heldOut(), split.description(), Candidates.of(result.analysis()),
          control.token());
      return result.withVerification(verified);
    });
  }

  /** As {@link #verify(FinderResult, Dataset, Dataset, int, RunControl)} without listeners. */
  public FinderResult verify(FinderResult result, Dataset train, Dataset heldOut, int steps) {
    return verify(result, train, heldOut, steps, RunControl.none());
  }

  /** Runs {@code job} holding this finder's model, as every range test does. */
  private <T> T exclusive(RunControl control, java.util.function.Supplier<T> job) {
    Objects.requireNonNull(control, "control");
    if (!inUse.tryLock()) {
      throw new IllegalStateException("this LrFinder is running a range test on another thread;"
          + " an instance runs one at a time: give each thread its own LrFinder");
    }
    try {
      if (inUse.getHoldCount() > 1) {
        throw new IllegalStateException("a range test cannot start another on the same LrFinder"
            + " (from a listener); open a second LrFinder");
      }
      requireOpen();
      running = control.token();
      if (closing) {
        control.token().cancel(); // close() on another thread did not see this run's token
      }
      return job.get();
    } finally {
      running = null;
      inUse.unlock();
    }
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("this LrFinder is closed");
    }
  }

  /**
   * Frees the model's native memory. A range test running on another thread is cancelled first,
   * and this waits until it has restored the model and returned.
   *
   * @throws IllegalStateException when called from inside a running range test (a listener)
   */
  @Override
  public void close() {
    if (inUse.isHeldByCurrentThread()) {
      throw new IllegalStateException("cannot close an LrFinder from inside its range test");
    }
    closing = true;
    CancellationToken token = running;
    if (token != null) {
      token.cancel();
    }
    inUse.lock();
    try {
      if (!closed) {
        closed = true;
        model.close();
      }
    } finally {
      inUse.unlock();
    }
  }

  /** A source whose batches are conformed to the model as they are asked for. */
  private record ConformedSource(BatchSource source, TrainableModel model) implements BatchSource {
    @Override
    public int batchSize() {
      return source.batchSize();
    }

    @Override
    public long stepsPerEpoch() {
      return source.stepsPerEpoch();
    }

    @Override
    public long rows() {
      return source.rows();
    }

    @Override
    public Batch batch(long step) {
      Batch raw = source.batch(step);
      List<String> inputKeys = model.contract().inputs().stream().map(i -> i.key()).toList();
      List<String> outputKeys = model.contract().outputs().stream().map(o -> o.key()).toList();
      Dataset conformed = model.conform(new Dataset(
          named(raw.inputs(), inputKeys, "input", step), named(raw.labels(), outputKeys,
              "labels", step)));
      return new Batch(conformed.inputs().stream().map(NamedArray::array).toList(),
          conformed.labels().stream().map(NamedArray::array).toList());
    }

    private static List<NamedArray> named(List<HostArray> arrays, List<String> keys,
        String what, long step) {
      List<NamedArray> named = new ArrayList<>();
      for (int i = 0; i < arrays.size(); i++) {
        String key = i < keys.size() ? keys.get(i) : what + i;
        named.add(new NamedArray(key, arrays.get(i), dev.lrfinder.data.ArrayName.plain(
            what + (arrays.size() > 1 ? " '" + key + "'" : "") + " of batch " + step)));
      }
      return named;
    }
  }
}
