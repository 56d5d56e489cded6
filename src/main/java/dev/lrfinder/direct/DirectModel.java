package dev.lrfinder.direct;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.lrfinder.data.Batch;
import dev.lrfinder.data.DType;
import dev.lrfinder.model.ModelContract;
import dev.lrfinder.model.ModelException;
import dev.lrfinder.model.OptimizerInfo;
import dev.lrfinder.model.OutputSpec;
import dev.lrfinder.model.StepResult;
import dev.lrfinder.model.TensorSpec;
import dev.lrfinder.model.TrainingPath;
import dev.lrfinder.optim.ExactSessionConfig;
import dev.lrfinder.optim.GraphOptimizer;
import dev.lrfinder.optim.KerasOptimizerConfigs;
import dev.lrfinder.optim.OptimizerCatalog;
import dev.lrfinder.optim.OptimizerConfig;
import dev.lrfinder.optim.TrainableVariable;
import dev.lrfinder.runtime.LoadFailure;
import dev.lrfinder.runtime.SavedModelDirectory;
import dev.lrfinder.runtime.SessionModel;
import dev.lrfinder.runtime.StepFailure;
import dev.lrfinder.runtime.Tensors;
import dev.lrfinder.runtime.VariableStore;
import dev.lrfinder.safety.ModelSafety;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * bit for bit. A step at a new rate is one session run: it feeds the rate to the optimizer's read
 * of its learning-rate variable and assigns the variable in the same run.
 */
public final class DirectModel extends SessionModel {
  private final Graph graph;
  private final Session session;
  private final TrainingPath path;
  private final List<Output<?>> inputs;
  private final List<Placeholder<?>> labels;
  private final Fetches training;
  private final Fetches evaluation;
  private final Map<String, GraphOptimizer> optimizers;
  private final Map<String, Op> steps;
  private final List<String> warnings;

  /**
   * The loss (the total, for several outputs), each output's own loss by output key (several
   * outputs only) and the metrics, fetched together.
   */
  private record Fetches(Operand<TFloat32> loss, Map<String, Operand<TFloat32>> outputLosses,
      Map<String, Operand<TFloat32>> metrics) {}

  /** One compiled output: its Keras name, loss, weight in the total, metrics and label. */
  private record CompiledOutput(String key, KerasLoss loss, double weight,
      List<KerasMetric> metrics, TensorSpec label) {}

  private DirectModel(Graph graph, Session session, ModelContract contract, TrainingPath path,
      List<Output<?>> inputs, List<Placeholder<?>> labels, Fetches training, Fetches evaluation,
      Map<String, GraphOptimizer> optimizers, Map<String, Op> steps, VariableStore variables,
      List<String> warnings) {
    super(contract, variables);
    this.graph = graph;
    this.session = session;
    this.path = path;
    this.inputs = List.copyOf(inputs);
    this.labels = List.copyOf(labels);
    this.training = training;
    this.evaluation = evaluation;
    this.optimizers = optimizers;
    this.steps = steps;
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
    if (metadata.layerClasses().contains("Masking")) {
      // Masking sets its mask inside its own traced call; the model's saved call function
      // passes the layers after it no mask (measured: Masking + GRU, + LSTM, + pooling).
      throw new UnsupportedModelException("it has a Masking layer, whose mask tf_keras leaves"
          + " out of the SavedModel's call function, so the layers after it would train"
          + " unmasked, unlike in Keras");
    }
    List<String> stateful = statefulLayers(metadata.root(), new ArrayList<>());
    if (!stateful.isEmpty()) {
      // Their states are variables the saved graph marks trainable but Keras never trains; the
      // direct path would train them (measured: the second step's loss moved by 3e-4).
      throw new UnsupportedModelException("its recurrent layers " + stateful + " are stateful"
          + " (stateful=True), which direct training does not build");
    }
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
          options.seed(), configNames(metadata, "input_layers"));
      Ops tf = Ops.create(graph).withSubScope("lrfinder_training");
      List<TensorSpec> inputSpecs = inputSpecs(model);
      List<CompiledOutput> outputs = compiledOutputs(metadata, options, model);
      List<Placeholder<?>> labels = new ArrayList<>();
      List<Operand<? extends TNumber>> ys = new ArrayList<>();
      for (int j = 0; j < outputs.size(); j++) {
        TensorSpec labelSpec = outputs.get(j).label();
        Placeholder<?> label = tf.withName(outputs.size() == 1 ? "y" : "y_" + j).placeholder(
            Tensors.typeClass(labelSpec.dtype()),
            Placeholder.shape(org.tensorflow.ndarray.Shape.of(labelSpec.shape())));
        labels.add(label);
        @SuppressWarnings("unchecked")
        Operand<? extends TNumber> y = (Operand<? extends TNumber>) label;
        ys.add(y);
      }
      // Keras adds the weight regularizers' terms to the loss of training and evaluation steps.
      Operand<TFloat32> penalty = Regularization.build(tf.withSubScope("regularization"),
          metadata.weightRegularizers(), floatReads(model));
      Fetches training = fetches(tf.withSubScope("train"), ys, model.trainingOutputs(),
          outputs, penalty);
      Fetches evaluation = fetches(tf.withSubScope("evaluate"), ys, model.inferenceOutputs(),
          outputs, penalty);

      List<TrainableVariable> targets = gradients(graph, model, training.loss());
      // Every update waits for every shared read, so no step reads a value it already changed:
      // through one NoOp, since each op of the optimizers gets these control inputs (one edge
      // each instead of one per variable: ~100x fewer edges to build, optimize and schedule).
      Op readsDone = tf.withControlDependencies(
          model.variables().stream().map(v -> (Op) () -> v.read().op()).toList())
          .withName("reads_done").noOp();
      Ops afterReads = tf.withControlDependencies(List.of(readsDone));
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
      // The store's ops go in before the session's first run, which then takes the whole graph;
      // an op added after it extends the session, copying the graph again.
      Set<String> filled = new java.util.LinkedHashSet<>(model.restoredHandles());
      optimizers.values().forEach(o -> o.variables().forEach(v ->
          filled.add(v.handle().op().name())));
      VariableStore.Prepared prepared = VariableStore.prepare(graph, session, filled);
      model.restore(session);
      for (GraphOptimizer optimizer : optimizers.values()) {
        optimizer.initialize(session);
      }
      VariableStore variables = prepared.check();
      variables.shapeMismatch().ifPresent(m -> {
        throw SavedModelDirectory.checkpointMismatch(directory, m);
      });
      ModelContract contract = contract(directory, file, metadata, model, inputSpecs, outputs,
          configs);
      long trainable = model.variables().stream().filter(TrainingGraph.ModelVariable::trainable)
          .count();
      TrainingPath description = TrainingPath.direct("trainable, " + model.variables().size()
          + " variables (" + trainable + " trainable), loss " + (outputs.size() == 1
              ? outputs.get(0).loss().describe() : contract.loss())
          + (penalty == null ? "" : " + " + metadata.weightRegularizers().size()
              + " weight regularizers"));
      List<String> warnings = new ArrayList<>();
      metadata.trainingConfig().ifPresent(c -> KerasMetric.unsupported(c.path("metrics"))
          .forEach(m -> warnings.add("metric '" + m + "' is not supported by direct training;"
              + " it is left out")));
      warnings.addAll(optimizerNotes);
      return new DirectModel(graph, session, contract, description,
          model.inputs().stream().<Output<?>>map(TrainingGraph.ModelInput::placeholder).toList(),
          labels,
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

  private static Fetches fetches(Ops tf, List<Operand<? extends TNumber>> labels,
      List<Output<TFloat32>> modelOutputs, List<CompiledOutput> outputs,
      Operand<TFloat32> penalty) {
    Map<String, Operand<TFloat32>> values = new LinkedHashMap<>();
    if (outputs.size() == 1) {
      ModelOutput output = ModelOutput.of(modelOutputs.get(0));
      for (KerasMetric metric : outputs.get(0).metrics()) {
        values.put(metric.name(), metric.build(tf.withSubScope(metric.name()), labels.get(0),
            output));
      }
      Operand<TFloat32> value = outputs.get(0).loss().build(tf.withSubScope("loss"),
          labels.get(0), output);
      return new Fetches(penalty == null ? value : tf.math.add(value, penalty), Map.of(),
          values);
    }
    // As tf_keras's LossesContainer: total = add_n(w_j * L_j..., regularization).
    Map<String, Operand<TFloat32>> own = new LinkedHashMap<>();
    List<Operand<TFloat32>> terms = new ArrayList<>();
    for (int j = 0; j < outputs.size(); j++) {
      CompiledOutput o = outputs.get(j);
      ModelOutput output = ModelOutput.of(modelOutputs.get(j));
      Ops scope = tf.withSubScope("output_" + j);
      Operand<TFloat32> value = o.loss().build(scope.withSubScope("loss"), labels.get(j), output);
      own.put(o.key(), value);
      terms.add(scope.math.mul(value, scope.constant((float) o.weight())));
      for (KerasMetric metric : o.metrics()) {
        values.put(metric.name(), metric.build(scope.withSubScope("metric_" + values.size()),
            labels.get(j), output));
      }
    }
    if (penalty != null) {
      terms.add(penalty);
    }
    return new Fetches(tf.math.addN(terms), own, values);
  }

  /**
   * The compiled outputs: for one input and one output its loss (training_config or --loss) and
   * every metric, label key {@code y}; otherwise each output keyed by its Keras name, with its
   * loss, weight and metrics from training_config, which tf_keras keys by output name (a dict)
   * or orders as the outputs (a list).
   */
  private static List<CompiledOutput> compiledOutputs(KerasMetadata metadata,
      DirectOptions options, TrainingGraph model) {
    List<Output<TFloat32>> modelOutputs = model.trainingOutputs();
    Optional<JsonNode> config = metadata.trainingConfig();
    if (modelOutputs.size() == 1 && model.inputs().size() == 1) {
      KerasLoss loss = options.loss().orElseGet(() -> lossOf(metadata));
      List<KerasMetric> metrics = KerasMetric.fromTrainingConfig(
          config.map(c -> c.path("metrics")).orElse(null));
      return List.of(new CompiledOutput("y", loss, 1.0, metrics,
          loss.labelSpec(modelOutputs.get(0).shape().asArray())));
    }
    List<String> keys = model.outputKeys().size() == modelOutputs.size() ? model.outputKeys()
        : outputKeys(metadata, modelOutputs.size());
    List<CompiledOutput> outputs = new ArrayList<>();
    for (int j = 0; j < keys.size(); j++) {
      String key = keys.get(j);
      KerasLoss loss;
      if (options.loss().isPresent()) {
        loss = options.loss().get();
      } else {
        JsonNode losses = config.orElseThrow(() -> new ModelException(
            "the model was saved without compile(), so it has no loss; give one with --loss"))
            .path("loss");
        try {
          loss = KerasLoss.fromTrainingConfig(perOutput(losses, key, j, keys.size()));
        } catch (IllegalArgumentException e) {
          throw new ModelException("output '" + key + "': " + e.getMessage()
              + "; give a loss with --loss");
        }
      }
      JsonNode weightNode = perOutput(config.map(c -> c.path("loss_weights")).orElse(null),
          key, j, keys.size());
      double weight = weightNode == null || !weightNode.isNumber() ? 1.0 : weightNode.asDouble();
      JsonNode metricNode = config.map(c -> c.path("metrics")).orElse(null);
      if (metricNode != null && metricNode.isArray() && metricNode.size() == keys.size()) {
        metricNode = metricNode.get(j);
      } else if (metricNode != null && metricNode.isObject() && !metricNode.has("class_name")) {
        metricNode = metricNode.get(key);
      }
      List<KerasMetric> metrics = new ArrayList<>();
      for (KerasMetric m : KerasMetric.fromTrainingConfig(metricNode)) {
        // tf_keras names an output's metric <output>_<metric> when there are several outputs;
        // saved configs often have it so already.
        String name = keys.size() == 1 || m.name().startsWith(key + "_") ? m.name()
            : key + "_" + m.name();
        metrics.add(new KerasMetric(name, m.function()));
      }
      TensorSpec label = loss.labelSpec(modelOutputs.get(j).shape().asArray());
      // The contract's names: one output's label is y, several are y_<key>.
      label = new TensorSpec(keys.size() == 1 ? "y" : "y_" + ModelContract.sanitize(key), key,
          label.dtype(),
          label.shape(), label.values());
      outputs.add(new CompiledOutput(key, loss, weight, metrics, label));
    }
    return outputs;
  }

  /** The entry of a per-output setting for output {@code key}: a dict's, a list's, or itself. */
  private static JsonNode perOutput(JsonNode node, String key, int index, int count) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return null;
    }
    if (node.isArray()) {
      if (node.size() != count) {
        throw new UnsupportedModelException("its training_config lists " + node.size()
            + " entries for " + count + " outputs");
      }
      return node.get(index);
    }
    if (node.isObject() && !node.has("class_name")) {
      JsonNode entry = node.get(key);
      return entry == null ? NullNode.getInstance() : entry;
    }
    return node;
  }

  /**
   * The layer names of a functional model config's {@code input_layers} or {@code output_layers}
   * ({@code [[name, node, tensor], ...]}), in order; for a Sequential model, whose config has
   * neither, its last layer for the output (empty when the config has no such list).
   */
  private static List<String> configNames(KerasMetadata metadata, String field) {
    JsonNode config = metadata.root().path("config");
    List<String> names = new ArrayList<>();
    JsonNode layers = config.path(field);
    if (layers.isArray()) {
      layers.forEach(l -> names.add(l.path(0).asText()));
    } else if (field.equals("output_layers") && metadata.root().path("class_name").asText()
        .equals("Sequential") && config.path("layers").isArray()
        && !config.path("layers").isEmpty()) {
      JsonNode last = config.path("layers").get(config.path("layers").size() - 1);
      names.add(last.path("config").path("name").asText());
    }
    return names;
  }

  /** The Keras output names, in order, from the model config. */
  private static List<String> outputKeys(KerasMetadata metadata, int count) {
    List<String> keys = configNames(metadata, "output_layers");
    if (keys.size() != count || keys.stream().anyMatch(String::isEmpty)
        || keys.stream().distinct().count() != count) {
      throw new UnsupportedModelException("its call returns " + count + " outputs but its Keras"
          + " config does not name them (output_layers)");
    }
    return keys;
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

  /** Names of the layers in a Keras config (nested ones included) whose config says stateful. */
  private static List<String> statefulLayers(com.fasterxml.jackson.databind.JsonNode node,
      List<String> found) {
    if (node.isObject() && node.has("class_name")
        && node.path("config").path("stateful").asBoolean(false)) {
      found.add(node.path("config").path("name").asText("?"));
    }
    node.forEach(child -> statefulLayers(child, found));
    return found;
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

  private static List<TensorSpec> inputSpecs(TrainingGraph model) {
    List<TensorSpec> specs = new ArrayList<>();
    for (TrainingGraph.ModelInput input : model.inputs()) {
      DataType type = input.placeholder().dataType();
      DType dtype = Tensors.dtypeOf(type).orElseThrow(() -> new UnsupportedModelException(
          "its input '" + input.key() + "' is " + type + ", which direct training cannot feed"));
      long[] shape = input.placeholder().shape().asArray();
      specs.add(model.inputs().size() == 1 ? new TensorSpec("x", dtype, shape)
          : new TensorSpec("x_" + ModelContract.sanitize(input.key()), dtype, shape)
              .withKey(input.key()));
    }
    return specs;
  }

  private static ModelContract contract(Path directory, SavedModelFile file,
      KerasMetadata metadata, TrainingGraph model, List<TensorSpec> inputs,
      List<CompiledOutput> outputs, Map<String, OptimizerConfig> configs) {
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
    String tensorflowVersion = file.metaGraph().getMetaInfoDef().getTensorflowVersion();
    if (outputs.size() == 1 && inputs.size() == 1) {
      CompiledOutput o = outputs.get(0);
      return new ModelContract(ModelContract.NO_CONTRACT, name, null, parameters, trainable,
          inputs.get(0), o.label(), o.loss().name(),
          o.metrics().stream().map(KerasMetric::name).toList(), optimizers, tensorflowVersion,
          metadata.kerasVersion());
    }
    List<OutputSpec> specs = new ArrayList<>();
    List<String> allMetrics = new ArrayList<>();
    for (int j = 0; j < outputs.size(); j++) {
      CompiledOutput o = outputs.get(j);
      List<String> names = o.metrics().stream().map(KerasMetric::name).toList();
      allMetrics.addAll(names);
      specs.add(new OutputSpec(outputs.size() == 1 ? o.label().key() : o.key(),
          model.trainingOutputs().get(j).shape().asArray(), o.label(), o.loss().name(),
          Map.of(), o.weight(), names));
    }
    return new ModelContract(ModelContract.NO_CONTRACT, name, null, parameters, trainable, inputs,
        specs, allMetrics,
        List.of(), optimizers, "", tensorflowVersion, metadata.kerasVersion());
  }

  @Override
  public TrainingPath trainingPath() {
    return path;
  }

  /** What was left out or replaced while building the training graph, one sentence each. */
  public List<String> warnings() {
    return warnings;
  }

  @Override
  protected StepResult train(String optimizer, Batch batch) {
    return run(training, steps.get(optimizer), batch, null);
  }

  /**
   * One session run: the rate is fed to the update's read of the learning-rate variable (so the
   * update uses it without waiting for the assign) and assigned to the variable in the same run,
   * so it stays set; the two values are the same float32, so the step equals
   * {@link #writeLearningRate} then {@link #train} bit for bit.
   */
  @Override
  protected StepResult trainAtRate(String optimizer, double learningRate, Batch batch) {
    GraphOptimizer graphOptimizer = optimizers.get(optimizer);
    try (TFloat32 rate = TFloat32.scalarOf((float) learningRate)) {
      return run(training, steps.get(optimizer), batch, runner -> runner
          .feed(graphOptimizer.learningRate(), rate)
          .feed(graphOptimizer.learningRateFeed(), rate)
          .addTarget(graphOptimizer.assignLearningRate()));
    }
  }

  @Override
  protected boolean momentumSettable(String optimizer) {
    return optimizers.get(optimizer).hasMomentum();
  }

  @Override
  protected double readMomentum(String optimizer) {
    return optimizers.get(optimizer).momentum(session);
  }

  @Override
  protected void writeMomentum(String optimizer, double momentum) {
    optimizers.get(optimizer).setMomentum(session, momentum);
  }

  /**
   * One session run, as {@link #trainAtRate}: the rate and each momentum variable's value are fed
   * to the update's shared reads of their variables and assigned to them in the same run, so the
   * step equals {@link #writeMomentum}, {@link #writeLearningRate} then {@link #train} bit for
   * bit.
   */
  @Override
  protected StepResult trainAtRateAndMomentum(String optimizer, double learningRate,
      double momentum, Batch batch) {
    GraphOptimizer graphOptimizer = optimizers.get(optimizer);
    List<TFloat32> fed = new ArrayList<>();
    try {
      TFloat32 rate = TFloat32.scalarOf((float) learningRate);
      fed.add(rate);
      for (GraphOptimizer.MomentumPart part : graphOptimizer.momentumParts()) {
        fed.add(TFloat32.scalarOf(part.valueFor(momentum)));
      }
      return run(training, steps.get(optimizer), batch, runner -> {
        runner.feed(graphOptimizer.learningRate(), rate)
            .feed(graphOptimizer.learningRateFeed(), rate)
            .addTarget(graphOptimizer.assignLearningRate());
        List<GraphOptimizer.MomentumPart> parts = graphOptimizer.momentumParts();
        for (int i = 0; i < parts.size(); i++) {
          runner.feed(parts.get(i).read(), fed.get(i + 1)).feed(parts.get(i).feed(), fed.get(i + 1))
              .addTarget(parts.get(i).assign());
        }
      });
    } finally {
      fed.forEach(TFloat32::close);
    }
  }

  @Override
  protected StepResult evaluateBatch(Batch batch) {
    return run(evaluation, null, batch, null);
  }

  @Override
  protected double readLearningRate(String optimizer) {
    return optimizers.get(optimizer).learningRate(session);
  }

  @Override
  protected void writeLearningRate(String optimizer, double learningRate) {
    optimizers.get(optimizer).setLearningRate(session, learningRate);
  }

  @Override
  protected void closeSession() {
    session.close();
    graph.close();
  }

  /** The training graph, for tests of its structure. */
  Graph graph() {
    return graph;
  }

  /** Runs {@code fetches} on {@code batch}, with {@code target} and {@code more} feeds if any. */
  private StepResult run(Fetches fetches, Op target, Batch batch,
      java.util.function.Consumer<Session.Runner> more) {
    List<Tensor> fed = new ArrayList<>();
    try {
      Session.Runner runner = session.runner();
      for (int i = 0; i < inputs.size(); i++) {
        Tensor x = Tensors.toTensor(batch.inputs().get(i));
        fed.add(x);
        runner.feed(inputs.get(i), x);
      }
      for (int j = 0; j < labels.size(); j++) {
        Tensor y = Tensors.toTensor(batch.labels().get(j));
        fed.add(y);
        runner.feed(labels.get(j), y);
      }
      if (more != null) {
        more.accept(runner);
      }
      runner.fetch(fetches.loss());
      fetches.outputLosses().values().forEach(runner::fetch);
      fetches.metrics().values().forEach(runner::fetch);
      if (target != null) {
        runner.addTarget(target);
      }
      try (Result result = runStep(runner, target == null ? "evaluation" : "training")) {
        int i = 1;
        Map<String, Double> outputLosses = new LinkedHashMap<>();
        for (String key : fetches.outputLosses().keySet()) {
          outputLosses.put(key, Tensors.scalar(result.get(i++)));
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (String name : fetches.metrics().keySet()) {
          metrics.put(name, Tensors.scalar(result.get(i++)));
        }
        return new StepResult(Tensors.scalar(result.get(0)), outputLosses, metrics);
      }
    } finally {
      fed.forEach(Tensor::close);
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
