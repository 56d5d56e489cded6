package dev.lrfinder.direct;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lrfinder.data.Batch;
import dev.lrfinder.data.DType;
import dev.lrfinder.model.LoadFailure;
import dev.lrfinder.model.ModelContract;
import dev.lrfinder.model.ModelException;
import dev.lrfinder.model.ModelSnapshot;
import dev.lrfinder.model.OptimizerInfo;
import dev.lrfinder.model.SavedModelDirectory;
import dev.lrfinder.model.StepFailure;
import dev.lrfinder.model.StepResult;
import dev.lrfinder.model.TensorSpec;
import dev.lrfinder.model.Tensors;
import dev.lrfinder.model.TrainableModel;
import dev.lrfinder.model.VariableStore;
import dev.lrfinder.optim.ExactSessionConfig;
import dev.lrfinder.optim.GraphOptimizer;
import dev.lrfinder.optim.KerasOptimizerConfigs;
import dev.lrfinder.optim.OptimizerCatalog;
import dev.lrfinder.optim.OptimizerConfig;
import dev.lrfinder.optim.TrainableVariable;
import dev.lrfinder.safety.ModelSafety;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TNumber;
import org.tensorflow.types.family.TType;

/**
 * A plain Keras 2 SavedModel (as {@code model.save(dir)} writes it) trained by a graph lrfinder
 * builds itself: the model's {@code training=True} call function inlined
 * ({@link TrainingGraph}), the loss and metrics of its {@code training_config} (or
 * {@link DirectOptions#loss()}), gradients from TensorFlow's C++ registry and one
 * {@link GraphOptimizer} per optimizer key, each with its own slots and learning-rate variable.
 * A step computes the loss and metrics on the batch, runs the layers' own updates (BatchNorm
 * moving averages) and applies the optimizer, as one Keras {@code fit} step does. Evaluation uses
 * the {@code training=False} call, the function behind {@code serving_default}.
 *
 * <p>The session runs under {@link ExactSessionConfig}, so the optimizer math equals tf_keras
 * bit for bit. Like {@link dev.lrfinder.model.ExportedModel}, an instance is for one thread.
 */
public final class DirectModel implements TrainableModel {
  private final Graph graph;
  private final Session session;
  private final ModelContract contract;
  private final String pathDescription;
  private final Output<?> input;
  private final Placeholder<?> labels;
  private final Fetches training;
  private final Fetches evaluation;
  private final Map<String, GraphOptimizer> optimizers;
  private final Map<String, Op> steps;
  private final VariableStore variables;
  private final List<String> warnings;

  /** A loss and its metrics on one output, fetched together. */
  private record Fetches(Operand<TFloat32> loss, Map<String, Operand<TFloat32>> metrics) {}

  private DirectModel(Graph graph, Session session, ModelContract contract, String pathDescription,
      Output<?> input, Placeholder<?> labels, Fetches training, Fetches evaluation,
      Map<String, GraphOptimizer> optimizers, Map<String, Op> steps, VariableStore variables,
      List<String> warnings) {
    this.graph = graph;
    this.session = session;
    this.contract = contract;
    this.pathDescription = pathDescription;
    this.input = input;
    this.labels = labels;
    this.training = training;
    this.evaluation = evaluation;
    this.optimizers = optimizers;
    this.steps = steps;
    this.variables = variables;
    this.warnings = List.copyOf(warnings);
  }

  /**
   * Loads a Keras 2 SavedModel and builds its training graph.
   *
   * @throws UnsupportedModelException when the model needs something this path cannot build
   *     (a recurrent loop, several inputs, regularization losses...): export it instead
   * @throws ModelException for anything else wrong with the directory or the options
   */
  public static DirectModel load(Path directory, DirectOptions options) {
    SavedModelDirectory.require(directory);
    SavedModel saved = SavedModelDirectory.savedModel(directory);
    ModelSafety.requireSafe(directory, saved, options.trust());
    KerasMetadata metadata = KerasMetadata.read(directory, saved);
    if (!metadata.activityRegularized().isEmpty()) {
      throw new UnsupportedModelException("layers " + metadata.activityRegularized()
          + " regularize their outputs (activity regularization)");
    }
    KerasLoss loss = options.loss().orElseGet(() -> lossOf(metadata));
    SavedModelFile file = SavedModelFile.read(directory, saved);
    List<String> optimizerNotes = new ArrayList<>();
    OptimizerCatalog catalog = OptimizerCatalog.of(compiledOptimizer(metadata, optimizerNotes))
        .with(options.configured());
    List<String> keys = options.optimizers().isEmpty()
        ? List.copyOf(options.configured().keySet()) : options.optimizers();
    Map<String, OptimizerConfig> configs;
    try {
      configs = catalog.select(keys);
    } catch (IllegalArgumentException e) {
      throw new ModelException(e.getMessage());
    }
    Graph graph = new Graph();
    Session session = null;
    try {
      TrainingGraph model = TrainingGraph.build(file, OpRegistry.load(), graph,
          options.seed());
      Ops tf = Ops.create(graph).withSubScope("lrfinder_training");
      TensorSpec inputSpec = inputSpec(model);
      TensorSpec labelSpec = loss.labelSpec(model.trainingOutput().shape().asArray());
      Placeholder<?> labels = tf.withName("y").placeholder(Tensors.typeClass(labelSpec.dtype()),
          Placeholder.shape(org.tensorflow.ndarray.Shape.of(labelSpec.shape())));
      @SuppressWarnings("unchecked")
      Operand<? extends TNumber> y = (Operand<? extends TNumber>) labels;
      List<KerasMetric> metrics = KerasMetric.fromTrainingConfig(
          metadata.trainingConfig().map(c -> c.path("metrics")).orElse(null));
      // Keras adds the weight regularizers' terms to the loss of training and evaluation steps.
      Operand<TFloat32> penalty = Regularization.build(tf.withSubScope("regularization"),
          metadata.weightRegularizers(), floatReads(model));
      Fetches training = fetches(tf.withSubScope("train"), y,
          ModelOutput.of(model.trainingOutput()), loss, penalty, metrics);
      Fetches evaluation = fetches(tf.withSubScope("evaluate"), y,
          ModelOutput.of(model.inferenceOutput()), loss, penalty, metrics);

      List<TrainableVariable> targets = gradients(graph, model, training.loss());
      // Every update waits for every shared read, so no step reads a value it already changed.
      Ops afterReads = tf.withControlDependencies(
          model.variables().stream().map(v -> (Op) () -> v.read().op()).toList());
      Map<String, GraphOptimizer> optimizers = new LinkedHashMap<>();
      Map<String, Op> steps = new LinkedHashMap<>();
      for (Map.Entry<String, OptimizerConfig> entry : configs.entrySet()) {
        GraphOptimizer optimizer = GraphOptimizer.create(afterReads, entry.getKey(),
            entry.getValue(), targets);
        optimizers.put(entry.getKey(), optimizer);
        List<Op> stepDeps = new ArrayList<>();
        stepDeps.add(optimizer.step());
        model.updates().forEach(u -> stepDeps.add(() -> u));
        steps.put(entry.getKey(), tf.withControlDependencies(stepDeps)
            .withName("step_" + entry.getKey()).noOp());
      }

      session = new Session(graph, ExactSessionConfig.create());
      model.restore(session);
      for (GraphOptimizer optimizer : optimizers.values()) {
        optimizer.initialize(session);
      }
      VariableStore variables = VariableStore.create(graph, session);
      variables.shapeMismatch().ifPresent(m -> {
        throw SavedModelDirectory.checkpointMismatch(directory, m);
      });
      ModelContract contract = contract(directory, file, metadata, model, inputSpec, labelSpec,
          loss, metrics, configs);
      long trainable = model.variables().stream().filter(TrainingGraph.ModelVariable::trainable)
          .count();
      String description = "direct: trainable, " + model.variables().size() + " variables ("
          + trainable + " trainable), loss " + loss.describe()
          + (penalty == null ? "" : " + " + metadata.weightRegularizers().size()
              + " weight regularizers");
      List<String> warnings = new ArrayList<>();
      metadata.trainingConfig().ifPresent(c -> KerasMetric.unsupported(c.path("metrics"))
          .forEach(m -> warnings.add("metric '" + m + "' is not supported by direct training;"
              + " it is left out")));
      warnings.addAll(optimizerNotes);
      return new DirectModel(graph, session, contract, description, model.input(), labels,
          training, evaluation, optimizers, steps, variables, warnings);
    } catch (RuntimeException e) {
      if (session != null) {
        session.close();
      }
      graph.close();
      if (e instanceof TensorFlowException tensorflow) {
        throw LoadFailure.of("load", directory, tensorflow);
      }
      throw e;
    }
  }

  private static KerasLoss lossOf(KerasMetadata metadata) {
    JsonNode config = metadata.trainingConfig().orElseThrow(() -> new ModelException(
        "the model was saved without compile(), so it has no loss; give one with --loss"));
    try {
      return KerasLoss.fromTrainingConfig(config.path("loss"));
    } catch (IllegalArgumentException e) {
      throw new ModelException(e.getMessage() + "; give a loss with --loss");
    }
  }

  /**
   * The compiled optimizer, when lrfinder can build it; {@code notes} gets what the user should
   * know about it (a legacy decay that is not applied), or why it was replaced.
   */
  @SuppressWarnings("unchecked")
  private static Optional<OptimizerConfig> compiledOptimizer(KerasMetadata metadata,
      List<String> notes) {
    Optional<JsonNode> node = metadata.trainingConfig().map(c -> c.path("optimizer_config"))
        .filter(JsonNode::isObject);
    if (node.isEmpty()) {
      return Optional.empty();
    }
    try {
      KerasOptimizerConfigs.Parsed parsed = KerasOptimizerConfigs.read(
          new ObjectMapper().convertValue(node.get(), Map.class));
      notes.addAll(parsed.notes());
      return Optional.of(parsed.config());
    } catch (IllegalArgumentException e) {
      // Not one lrfinder can build: the catalog's defaults serve, and the note says why.
      notes.add("the compiled optimizer is not one lrfinder can build exactly (" + e.getMessage()
          .replaceAll("\\.$", "") + "); Keras's defaults of each optimizer key are used");
      return Optional.empty();
    }
  }

  private static Fetches fetches(Ops tf, Operand<? extends TNumber> labels, ModelOutput output,
      KerasLoss loss, Operand<TFloat32> penalty, List<KerasMetric> metrics) {
    Map<String, Operand<TFloat32>> values = new LinkedHashMap<>();
    for (KerasMetric metric : metrics) {
      values.put(metric.name(), metric.build(tf.withSubScope(metric.name()), labels, output));
    }
    Operand<TFloat32> value = loss.build(tf.withSubScope("loss"), labels, output);
    return new Fetches(penalty == null ? value : tf.math.add(value, penalty), values);
  }

  /** The shared read of every float32 model variable, by variable name. */
  @SuppressWarnings("unchecked")
  private static Map<String, Operand<TFloat32>> floatReads(TrainingGraph model) {
    Map<String, Operand<TFloat32>> reads = new LinkedHashMap<>();
    for (TrainingGraph.ModelVariable v : model.variables()) {
      if (v.dtype() == DataType.DT_FLOAT) {
        reads.put(v.name(), (Operand<TFloat32>) v.read());
      }
    }
    return reads;
  }

  /** Gradients of {@code loss} with respect to the shared reads of the trainable variables. */
  @SuppressWarnings("unchecked")
  private static List<TrainableVariable> gradients(Graph graph, TrainingGraph model,
      Operand<TFloat32> loss) {
    List<TrainingGraph.ModelVariable> trainable = model.variables().stream()
        .filter(TrainingGraph.ModelVariable::trainable).toList();
    if (trainable.isEmpty()) {
      throw new UnsupportedModelException("it has no trainable variables");
    }
    Output<?>[] reads = trainable.stream().map(TrainingGraph.ModelVariable::read)
        .toArray(Output<?>[]::new);
    Output<?>[] grads;
    try {
      grads = graph.addGradients(loss.asOutput(), reads);
    } catch (RuntimeException e) {
      String message = e.getMessage() == null ? "" : e.getMessage();
      java.util.regex.Matcher op = java.util.regex.Pattern
          .compile("No gradient defined for op: (\\w+)").matcher(message);
      throw new UnsupportedModelException(op.find()
          ? "TensorFlow has no C++ gradient for its op " + op.group(1)
          : "TensorFlow cannot differentiate it: " + message.lines().findFirst().orElse(""));
    }
    List<TrainableVariable> targets = new ArrayList<>();
    for (int i = 0; i < trainable.size(); i++) {
      TrainingGraph.ModelVariable v = trainable.get(i);
      if (v.dtype() != DataType.DT_FLOAT) {
        throw new UnsupportedModelException("trainable variable '" + v.name() + "' is "
            + v.dtype() + "; direct training supports float32 variables");
      }
      if (grads[i] == null || grads[i].op() == null) {
        throw new UnsupportedModelException("the loss does not depend on trainable variable '"
            + v.name() + "'");
      }
      targets.add(new TrainableVariable(v.name(), v.handle(), (Operand<TFloat32>) grads[i],
          v.shape()));
    }
    return targets;
  }

  private static TensorSpec inputSpec(TrainingGraph model) {
    DataType type = model.input().dataType();
    DType dtype = Tensors.dtypeOf(type).orElseThrow(() -> new UnsupportedModelException(
        "its input is " + type + ", which lrfinder cannot feed"));
    return new TensorSpec("x", dtype, model.input().shape().asArray());
  }

  private static ModelContract contract(Path directory, SavedModelFile file,
      KerasMetadata metadata, TrainingGraph model, TensorSpec input, TensorSpec label,
      KerasLoss loss, List<KerasMetric> metrics, Map<String, OptimizerConfig> configs) {
    long parameters = 0;
    long trainable = 0;
    for (TrainingGraph.ModelVariable v : model.variables()) {
      parameters += v.shape().size();
      trainable += v.trainable() ? v.shape().size() : 0;
    }
    List<OptimizerInfo> optimizers = new ArrayList<>();
    configs.forEach((key, config) -> optimizers.add(new OptimizerInfo(key,
        config.kerasClassName(), OptimizerCatalog.settingsOf(config), config.learningRate())));
    String name = metadata.root().path("name").asText(directory.getFileName().toString());
    return new ModelContract(0, name, null, parameters, trainable,
        input, label, loss.name(), metrics.stream().map(KerasMetric::name).toList(), optimizers,
        file.metaGraph().getMetaInfoDef().getTensorflowVersion(),
        metadata.kerasVersion());
  }

  @Override
  public ModelContract contract() {
    return contract;
  }

  @Override
  public String trainingPath() {
    return pathDescription;
  }

  /** What was left out or replaced while building the training graph, one sentence each. */
  public List<String> warnings() {
    return warnings;
  }

  /** Names of every variable that snapshots cover (the model's and the optimizers'). */
  @Override
  public List<String> variableNames() {
    return variables.names();
  }

  @Override
  public StepResult trainStep(String optimizer, Batch batch) {
    return run(training, step(optimizer), batch);
  }

  @Override
  public StepResult evaluate(Batch batch) {
    return run(evaluation, null, batch);
  }

  @Override
  public double learningRate(String optimizer) {
    return optimizer(optimizer).learningRate(session);
  }

  @Override
  public void setLearningRate(String optimizer, double learningRate) {
    if (!Double.isFinite(learningRate) || learningRate < 0) {
      throw new IllegalArgumentException("learning rate must be finite and >= 0, got "
          + learningRate);
    }
    optimizer(optimizer).setLearningRate(session, learningRate);
  }

  @Override
  public ModelSnapshot snapshot() {
    return variables.read();
  }

  @Override
  public ModelSnapshot snapshotToDisk(Path prefix) {
    variables.save(prefix);
    return new ModelSnapshot.OnDisk(prefix);
  }

  @Override
  public void restore(ModelSnapshot snapshot) {
    if (snapshot instanceof ModelSnapshot.InMemory inMemory) {
      variables.write(inMemory);
    } else if (snapshot instanceof ModelSnapshot.OnDisk onDisk) {
      variables.load(onDisk.prefix());
    } else {
      throw new IllegalArgumentException("unknown snapshot type " + snapshot.getClass());
    }
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }

  private GraphOptimizer optimizer(String key) {
    GraphOptimizer optimizer = optimizers.get(key);
    if (optimizer == null) {
      throw new IllegalArgumentException("unknown optimizer '" + key + "'; this model has "
          + String.join(", ", optimizers.keySet()));
    }
    return optimizer;
  }

  private Op step(String key) {
    optimizer(key);
    return steps.get(key);
  }

  private StepResult run(Fetches fetches, Op target, Batch batch) {
    contract.input().requireFits(batch.x());
    contract.label().requireFits(batch.y());
    try (Tensor x = Tensors.toTensor(batch.x()); Tensor y = Tensors.toTensor(batch.y())) {
      Session.Runner runner = session.runner().feed(input, x).feed(labels, y)
          .fetch(fetches.loss());
      fetches.metrics().values().forEach(runner::fetch);
      if (target != null) {
        runner.addTarget(target);
      }
      try (Result result = runStep(runner, target == null ? "evaluation" : "training")) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        int i = 1;
        for (String name : fetches.metrics().keySet()) {
          metrics.put(name, Tensors.scalar(result.get(i++)));
        }
        return new StepResult(Tensors.scalar(result.get(0)), metrics);
      }
    }
  }

  private static Result runStep(Session.Runner runner, String what) {
    try {
      return runner.run();
    } catch (RuntimeException e) {
      throw StepFailure.isTensorFlow(e) ? StepFailure.of(what, e) : e;
    }
  }
}
