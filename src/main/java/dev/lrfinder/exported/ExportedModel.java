package dev.lrfinder.exported;

import dev.lrfinder.data.Batch;
import dev.lrfinder.model.ModelContract;
import dev.lrfinder.model.ModelException;
import dev.lrfinder.model.OutputSpec;
import dev.lrfinder.model.StepResult;
import dev.lrfinder.model.TrainingPath;
import dev.lrfinder.runtime.LoadFailure;
import dev.lrfinder.runtime.SavedModelDirectory;
import dev.lrfinder.runtime.SavedModelSession;
import dev.lrfinder.runtime.SessionModel;
import dev.lrfinder.runtime.SignatureCall;
import dev.lrfinder.runtime.StepFailure;
import dev.lrfinder.runtime.Tensors;
import dev.lrfinder.runtime.VariableStore;
import dev.lrfinder.safety.ModelSafety;
import dev.lrfinder.safety.ModelTrust;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.RewriterConfig;
import org.tensorflow.Tensor;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorShapeProto;
import org.tensorflow.types.TFloat64;

/**
 * A SavedModel exported by {@code scripts/export.py}: training, evaluation and learning-rate access
 * go through the signatures of its training contract (docs/contract.md). The session runs with
 * Grappler off ({@link #SESSION_CONFIG}), and snapshots on disk are the
 * {@link VariableStore}'s checkpoints, as on the direct path.
 */
public final class ExportedModel extends SessionModel {
  /**
   * Grappler off, for the session's own graph and for every function body its calls run. The
   * session's graph holds only calls of the exported functions and the variable store's reads,
   * assigns, save and restore; with Grappler on, it would run over all of it, function library
   * included, at every new kind of run (170 ms of the load and 50 ms of the first restore on
   * mnist_cnn, 12 s of a ResNet50's load), and over each train function at its first call
   * (about 170 of 340 ms per optimizer on mnist_cnn). Without rewrites each body computes what
   * Keras traced, op for op: on the bundled models every loss of a range test equals, bit for
   * bit, the losses under {@link dev.lrfinder.optim.ExactSessionConfig} (Grappler without its
   * arithmetic optimizer and constant folding), which the Python reference of the range test
   * runs. A body optimized under TensorFlow's default config instead would rewrite
   * {@code x / sqrt(y)} into {@code x * rsqrt(y)}, moving RMSprop's diverging end.
   */
  static final ConfigProto SESSION_CONFIG = ConfigProto.newBuilder()
      .setGraphOptions(GraphOptions.newBuilder()
          .setRewriteOptions(RewriterConfig.newBuilder().setDisableMetaOptimizer(true)))
      .build();

  private final Path directory;
  private final SavedModelSession loaded;
  private final SignatureCall evaluate;
  private final Map<String, SignatureCall> trainSteps;
  /**
   * The step at a rate in one run, by key: {@code train_at_lr_K} (newer exports) or
   * {@code set_lr_K} chained before {@code train_K} in the graph (older ones).
   */
  private final Map<String, SignatureCall> trainStepsAtRate;
  private final Map<String, SignatureCall> getLearningRates;
  private final Map<String, SignatureCall> setLearningRates;
  /** The optimizers whose momentum the export can set, by key (see {@link MomentumCalls}). */
  private final Map<String, MomentumCalls> momentumCalls;

  /**
   * The optional momentum signatures of one optimizer: {@code get_momentum_K},
   * {@code set_momentum_K} and {@code train_at_lr_momentum_K}, which exports of
   * {@code scripts/export.py} have for Keras 3 SGD and RMSprop with momentum > 0, Adam and AdamW
   * (docs/contract.md); older exports have none.
   */
  private record MomentumCalls(SignatureCall get, SignatureCall set, SignatureCall trainAt) {}

  /** The signatures that training, evaluation and rate access call, resolved once. */
  private record Calls(SignatureCall evaluate, Map<String, SignatureCall> trainSteps,
      Map<String, SignatureCall> trainStepsAtRate, Map<String, SignatureCall> getLearningRates,
      Map<String, SignatureCall> setLearningRates, Map<String, MomentumCalls> momentumCalls) {

    static Calls resolve(ModelContract contract, Map<String, SignatureDef> signatures,
        Session session) {
      List<String> xy = new java.util.ArrayList<>();
      contract.inputs().forEach(i -> xy.add(i.name()));
      contract.outputs().forEach(o -> xy.add(o.label().name()));
      List<String> xyLr = new java.util.ArrayList<>(xy);
      xyLr.add("lr");
      List<String> xyLrMomentum = new java.util.ArrayList<>(xyLr);
      xyLrMomentum.add("momentum");
      Map<String, MomentumCalls> momentumCalls = new LinkedHashMap<>();
      Map<String, SignatureCall> trainSteps = new LinkedHashMap<>();
      Map<String, SignatureCall> trainStepsAtRate = new LinkedHashMap<>();
      Map<String, SignatureCall> getLearningRates = new LinkedHashMap<>();
      Map<String, SignatureCall> setLearningRates = new LinkedHashMap<>();
      for (String key : contract.optimizerKeys()) {
        trainSteps.put(key, of(signatures, session, "train_" + key, xy, "loss"));
        getLearningRates.put(key, of(signatures, session, "get_lr_" + key, List.of(), "lr"));
        setLearningRates.put(key, of(signatures, session, "set_lr_" + key, List.of("lr"), "lr"));
        if (signatures.containsKey("train_at_lr_" + key)) {
          trainStepsAtRate.put(key,
              of(signatures, session, "train_at_lr_" + key, xyLr, "loss"));
        } else {
          // An export from before train_at_lr_K: set_lr_K then train_K, chained in the graph.
          SignatureCall.sequence("set_lr_" + key + " then train_" + key,
              setLearningRates.get(key), trainSteps.get(key))
              .ifPresent(call -> trainStepsAtRate.put(key, call));
        }
        List<String> momentumKeys = List.of("get_momentum_" + key, "set_momentum_" + key,
            "train_at_lr_momentum_" + key);
        long present = momentumKeys.stream().filter(signatures::containsKey).count();
        if (present == momentumKeys.size()) {
          momentumCalls.put(key, new MomentumCalls(
              of(signatures, session, momentumKeys.get(0), List.of(), "momentum"),
              of(signatures, session, momentumKeys.get(1), List.of("momentum"), "momentum"),
              of(signatures, session, momentumKeys.get(2), xyLrMomentum, "loss")));
        } else if (present > 0) {
          throw new ModelException("the SavedModel has only some of the momentum signatures of"
              + " optimizer '" + key + "' (" + String.join(", ", momentumKeys)
              + "): the contract has all three or none");
        }
      }
      return new Calls(of(signatures, session, "evaluate", xy, "loss"), trainSteps,
          trainStepsAtRate, getLearningRates, setLearningRates, Map.copyOf(momentumCalls));
    }

    private static SignatureCall of(Map<String, SignatureDef> signatures, Session session,
        String key, List<String> inputs, String firstOutput) {
      SignatureDef signature = signatures.get(key);
      if (signature == null) {
        throw new ModelException("the SavedModel has no signature '" + key
            + "', which its training contract requires");
      }
      return SignatureCall.of(key, signature, session, inputs, firstOutput);
    }
  }

  private ExportedModel(Path directory, ModelContract contract, SavedModelSession loaded,
      Map<String, SignatureDef> signatures, Calls calls, VariableStore variables) {
    super(completed(contract, signatures), variables);
    this.directory = directory;
    this.loaded = loaded;
    this.evaluate = calls.evaluate();
    this.trainSteps = calls.trainSteps();
    this.trainStepsAtRate = calls.trainStepsAtRate();
    this.getLearningRates = calls.getLearningRates();
    this.setLearningRates = calls.setLearningRates();
    this.momentumCalls = calls.momentumCalls();
    if (variableNames().isEmpty()) {
      throw new ModelException("no variable of '" + directory + "' holds a value after loading:"
          + " its checkpoint (" + SavedModelDirectory.VARIABLES_PREFIX + ") restored none");
    }
    variables().shapeMismatch().ifPresent(m -> {
      throw SavedModelDirectory.checkpointMismatch(directory, m);
    });
  }

  /**
   * Loads and checks a SavedModel with the training contract, after the safety scan
   * ({@link ModelTrust#SCAN_FIRST}).
   *
   * @throws ModelException naming what is missing or wrong, in one sentence
   */
  public static ExportedModel load(Path directory) {
    return load(directory, ModelTrust.SCAN_FIRST);
  }

  /**
   * Loads and checks a SavedModel with the training contract; with {@link ModelTrust#SCAN_FIRST}
   * a model with an op lrfinder does not run is refused before TensorFlow loads it.
   *
   * @throws ModelException naming what is missing or wrong, in one sentence
   */
  public static ExportedModel load(Path directory, ModelTrust trust) {
    SavedModelDirectory.require(directory);
    SavedModel graph = SavedModelDirectory.savedModel(directory);
    ModelSafety.requireSafe(directory, graph, trust);
    ModelContract contract = ModelContract.read(directory);
    MetaGraphDef metaGraph = SavedModelDirectory.metaGraph(directory, graph,
        SavedModelBundle.DEFAULT_TAG);
    SavedModelSession loaded = open(directory, metaGraph);
    try {
      Map<String, SignatureDef> signatures = metaGraph.getSignatureDefMap();
      // Every op lrfinder adds (chained calls, the variable store) goes in before the session's
      // first run, the restore: a session is extended at a cost (see SavedModelSession).
      Calls calls = null;
      VariableStore.Prepared variables = null;
      RuntimeException unfit = null;
      try {
        calls = Calls.resolve(contract, signatures, loaded.session());
        variables = VariableStore.prepare(loaded.graph(), loaded.session(),
            VariableStore.restoredBy(loaded.graph(), loaded.restoreOp()));
      } catch (RuntimeException e) {
        unfit = e;
      }
      // Restored and initialized before the contract's failure is reported, as TensorFlow's
      // loader would have done: a trusted model's init op runs either way.
      try {
        loaded.restore(directory);
      } catch (RuntimeException e) {
        throw LoadFailure.of("load the SavedModel", directory, e);
      }
      if (unfit != null) {
        throw unfit;
      }
      return new ExportedModel(directory, contract, loaded, signatures, calls, variables.check());
    } catch (RuntimeException e) {
      loaded.close();
      if (e instanceof ModelException) {
        throw e;
      }
      if (e instanceof TensorFlowException tensorflow) {
        throw LoadFailure.of("prepare the training signatures of", directory, tensorflow);
      }
      throw new ModelException("'" + directory + "' does not fit its training contract: "
          + firstLine(e), e);
    }
  }

  /** The meta graph imported into a session under {@link #SESSION_CONFIG}, nothing run yet. */
  private static SavedModelSession open(Path directory, MetaGraphDef metaGraph) {
    try {
      return SavedModelSession.open(metaGraph, SESSION_CONFIG);
    } catch (RuntimeException e) {
      throw LoadFailure.of("load the SavedModel", directory, e);
    }
  }

  public Path directory() {
    return directory;
  }

  /** The contract, with v1's class count read from serving_default's one output. */
  private static ModelContract completed(ModelContract contract,
      Map<String, SignatureDef> signatures) {
    return contract.contractVersion() == 1
        ? contract.withOutputs(List.of(contract.output().withOutputShape(
            servingOutputShape(signatures))))
        : contract;
  }

  @Override
  public TrainingPath trainingPath() {
    return TrainingPath.exported("training contract v" + contract().contractVersion()
        + " from scripts/export.py");
  }

  /**
   * Whether optimizer {@code key} trains at a rate in one session run ({@code train_at_lr_K}, or
   * its two signatures chained in the graph).
   */
  public boolean hasFusedStep(String key) {
    return trainStepsAtRate.containsKey(key);
  }

  @Override
  protected StepResult train(String optimizer, Batch batch) {
    return run(trainSteps.get(optimizer), batch);
  }

  /**
   * One session run: {@code train_at_lr_K} where the export has it, else {@code set_lr_K}'s call
   * chained before a copy of {@code train_K}'s in the graph (added at load); two calls only for an
   * export whose signatures are not plain function calls.
   */
  @Override
  protected StepResult trainAtRate(String optimizer, double learningRate, Batch batch) {
    SignatureCall fused = trainStepsAtRate.get(optimizer);
    if (fused == null) {
      return super.trainAtRate(optimizer, learningRate, batch);
    }
    try (Tensor lr = Tensors.scalarFloat(learningRate)) {
      return run(fused, batch, lr);
    }
  }

  /**
   * Whether the export has optimizer {@code optimizer}'s momentum signatures: its momentum (SGD's
   * and RMSprop's {@code momentum}, Adam's and AdamW's {@code beta_1}) is then a variable that
   * one-cycle sets at every step, as on the direct path.
   */
  @Override
  protected boolean momentumSettable(String optimizer) {
    return momentumCalls.containsKey(optimizer);
  }

  /** {@code get_momentum_K}: the float32 the momentum variable holds ({@code beta_1} for Adam). */
  @Override
  protected double readMomentum(String optimizer) {
    return momentumCalls.get(optimizer).get().callScalars().get("momentum");
  }

  /**
   * {@code set_momentum_K}, fed the momentum as a float64: the export rounds it to float32 once,
   * and computes Adam's {@code 1 - beta_1} in float64 before rounding, as the direct path and
   * Python do.
   */
  @Override
  protected void writeMomentum(String optimizer, double momentum) {
    try (Tensor m = TFloat64.scalarOf(momentum)) {
      momentumCalls.get(optimizer).set().callScalars(m);
    }
  }

  /** One session run of {@code train_at_lr_momentum_K}: the rate and momentum set, one step. */
  @Override
  protected StepResult trainAtRateAndMomentum(String optimizer, double learningRate,
      double momentum, Batch batch) {
    try (Tensor lr = Tensors.scalarFloat(learningRate); Tensor m = TFloat64.scalarOf(momentum)) {
      return run(momentumCalls.get(optimizer).trainAt(), batch, lr, m);
    }
  }

  @Override
  protected StepResult evaluateBatch(Batch batch) {
    return run(evaluate, batch);
  }

  @Override
  protected double readLearningRate(String optimizer) {
    return getLearningRates.get(optimizer).callScalars().get("lr");
  }

  @Override
  protected void writeLearningRate(String optimizer, double learningRate) {
    try (Tensor lr = Tensors.scalarFloat(learningRate)) {
      setLearningRates.get(optimizer).callScalars(lr);
    }
  }

  @Override
  protected void closeSession() {
    loaded.close();
  }

  /**
   * Feeds every input and label by its signature name and splits the outputs into the (total)
   * loss, each output's own loss (several outputs only) and the metrics; {@code more} follow the
   * labels (the rate of {@code train_at_lr_K}, then the momentum of
   * {@code train_at_lr_momentum_K}).
   */
  private StepResult run(SignatureCall call, Batch batch, Tensor... more) {
    ModelContract contract = contract();
    List<OutputSpec> outputs = contract.outputs();
    List<Tensor> fed = new java.util.ArrayList<>();
    try {
      batch.inputs().forEach(a -> fed.add(Tensors.toTensor(a)));
      batch.labels().forEach(a -> fed.add(Tensors.toTensor(a)));
      List<Tensor> args = new java.util.ArrayList<>(fed);
      args.addAll(List.of(more));
      Map<String, Double> values;
      try {
        values = call.callScalars(args.toArray(Tensor[]::new));
      } catch (RuntimeException e) {
        throw StepFailure.isTensorFlow(e)
            ? StepFailure.of(call == evaluate ? "evaluation" : "training", e) : e;
      }
      double loss = values.remove("loss");
      Map<String, Double> outputLosses = new LinkedHashMap<>();
      if (contract.hasSeveralOutputs()) {
        for (OutputSpec o : outputs) {
          Double own = values.remove(o.lossOutputName());
          if (own == null) {
            throw new ModelException("signature '" + call.key() + "' has no output '"
                + o.lossOutputName() + "' (the loss of output '" + o.key() + "')");
          }
          outputLosses.put(o.key(), own);
        }
      }
      return new StepResult(loss, outputLosses, values);
    } finally {
      fed.forEach(Tensor::close);
    }
  }

  /** The shape of serving_default's one output (its last axis counts the classes), or []. */
  private static long[] servingOutputShape(Map<String, SignatureDef> signatures) {
    SignatureDef serving = signatures.get("serving_default");
    if (serving == null || serving.getOutputsCount() != 1) {
      return new long[0];
    }
    TensorShapeProto shape = serving.getOutputsMap().values().iterator().next().getTensorShape();
    return shape.getUnknownRank() ? new long[0]
        : shape.getDimList().stream().mapToLong(TensorShapeProto.Dim::getSize).toArray();
  }

  private static String firstLine(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return message.lines().findFirst().orElse(message).trim();
  }
}
