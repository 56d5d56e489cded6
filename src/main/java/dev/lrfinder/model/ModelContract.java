package dev.lrfinder.model;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lrfinder.data.Batch;
import dev.lrfinder.data.DType;
import dev.lrfinder.data.Numbers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a trainable model offers, as written by {@code scripts/export.py} to
 * {@code assets/lrfinder.json} (see docs/contract.md): version 1 (one input {@code x}, one label
 * {@code y}) or version 2 (named inputs and outputs, each output with its own loss, weight and
 * metrics). The direct path, which has no contract, describes its models with
 * {@link #NO_CONTRACT}; how a model is trained is its {@link TrainableModel#trainingPath()}.
 *
 * @param inputs the model's inputs, in signature order (one at least)
 * @param outputs the model's outputs, in signature order (one at least)
 * @param metrics every metric output of the training and evaluation signatures, in order
 * @param notes what the exporter wants the user to know, one line each (e.g. a metric left out)
 * @param kerasLibrary which library exported it ({@code tf_keras 2.18.0}, {@code keras 3.8.0});
 *     empty where the contract does not say
 */
public record ModelContract(
    int contractVersion,
    String modelName,
    String source,
    long parameterCount,
    long trainableParameterCount,
    List<TensorSpec> inputs,
    List<OutputSpec> outputs,
    List<String> metrics,
    List<String> notes,
    List<OptimizerInfo> optimizers,
    String kerasLibrary,
    String tensorflowVersion,
    String kerasVersion) {

  /** The version of a contract the direct path describes a Keras 2 SavedModel with. */
  public static final int NO_CONTRACT = 0;
  /** The newest contract version this lrfinder reads (it reads every one from 1). */
  public static final int SUPPORTED_VERSION = 2;
  public static final String METADATA_PATH = "assets/lrfinder.json";
  private static final Pattern UNSAFE = Pattern.compile("[^a-z0-9_]");

  public ModelContract {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
    metrics = List.copyOf(metrics);
    notes = List.copyOf(notes);
    optimizers = List.copyOf(optimizers);
    if (inputs.isEmpty() || outputs.isEmpty()) {
      throw new IllegalArgumentException("a model needs an input and an output");
    }
  }

  /**
   * A contract of one input and one output (version 1, or {@link #NO_CONTRACT}): the output is
   * keyed by its label's name and has weight 1 and every metric.
   */
  public ModelContract(int contractVersion, String modelName, String source,
      long parameterCount, long trainableParameterCount, TensorSpec input, TensorSpec label,
      String loss, List<String> metrics, List<OptimizerInfo> optimizers,
      String tensorflowVersion, String kerasVersion) {
    this(contractVersion, modelName, source, parameterCount, trainableParameterCount,
        List.of(input), List.of(new OutputSpec(label.key(), new long[0], label, loss, Map.of(),
            1.0, metrics)), metrics, List.of(), optimizers, "", tensorflowVersion, kerasVersion);
  }

  /**
   * A signature argument name from a Keras name: lower case, every character outside
   * {@code [a-z0-9_]} replaced by {@code _} (contract v2).
   */
  public static String sanitize(String key) {
    return UNSAFE.matcher(key.toLowerCase(Locale.ROOT)).replaceAll("_");
  }

  /** The one input of a model with one input. */
  public TensorSpec input() {
    if (inputs.size() != 1) {
      throw new IllegalStateException("model '" + modelName + "' has " + inputs.size()
          + " inputs");
    }
    return inputs.get(0);
  }

  /** The label of a model with one output. */
  public TensorSpec label() {
    return output().label();
  }

  /** The one output of a model with one output. */
  public OutputSpec output() {
    if (outputs.size() != 1) {
      throw new IllegalStateException("model '" + modelName + "' has " + outputs.size()
          + " outputs");
    }
    return outputs.get(0);
  }

  public boolean hasSeveralOutputs() {
    return outputs.size() > 1;
  }

  /**
   * The loss the range test follows, in words: the output's loss name for one output, else
   * {@code total loss: 1 × mean_squared_error (age) + 0.5 × binary_crossentropy (gender)}.
   */
  public String loss() {
    if (!hasSeveralOutputs()) {
      return outputs.get(0).loss();
    }
    return "total loss: " + String.join(" + ", outputs.stream().map(o -> Numbers.plain(
        o.lossWeight()) + " \u00d7 " + o.loss() + " (" + o.key() + ")").toList());
  }

  /** This contract of one output with {@code values} as what its labels may hold. */
  public ModelContract withLabelValues(LabelValues values) {
    OutputSpec o = output();
    return withOutputs(List.of(new OutputSpec(o.key(), o.shape(), o.label().withValues(values),
        o.loss(), o.lossConfig(), o.lossWeight(), o.metrics())));
  }

  /** This contract with {@code outputs} instead of its own. */
  public ModelContract withOutputs(List<OutputSpec> outputs) {
    return new ModelContract(contractVersion, modelName, source, parameterCount,
        trainableParameterCount, inputs, outputs, metrics, notes, optimizers, kerasLibrary,
        tensorflowVersion, kerasVersion);
  }

  /**
   * Throws IllegalArgumentException unless {@code batch} holds one array per input and per
   * output, in contract order, each of its spec's type and shape.
   */
  public void requireFits(Batch batch) {
    if (batch.inputs().size() != inputs.size() || batch.labels().size() != outputs.size()) {
      throw new IllegalArgumentException("the model takes " + inputs.size() + " inputs and "
          + outputs.size() + " labels, the batch has " + batch.inputs().size() + " and "
          + batch.labels().size());
    }
    for (int i = 0; i < inputs.size(); i++) {
      inputs.get(i).requireFits(batch.inputs().get(i));
    }
    for (int j = 0; j < outputs.size(); j++) {
      outputs.get(j).label().requireFits(batch.labels().get(j));
    }
  }

  public List<String> optimizerKeys() {
    return optimizers.stream().map(OptimizerInfo::key).toList();
  }

  /**
   * Throws IllegalArgumentException, naming the optimizers this model has, unless it has
   * {@code key}.
   */
  public void requireOptimizer(String key) {
    if (!optimizerKeys().contains(key)) {
      throw new IllegalArgumentException(noSuchOptimizer(key));
    }
  }

  /** The one sentence for an optimizer key this model lacks, listing those it has. */
  public String noSuchOptimizer(String key) {
    return "the model has no optimizer '" + key + "'; it has "
        + String.join(", ", optimizerKeys());
  }

  /** Reads and checks {@code assets/lrfinder.json} of a SavedModel directory. */
  public static ModelContract read(Path modelDir) {
    Path file = modelDir.resolve(METADATA_PATH);
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new ModelException("'" + modelDir + "' is a SavedModel without lrfinder's training"
          + " contract (no " + METADATA_PATH + "); export it with scripts/export.py");
    }
    ModelFiles.requireReadableFile(file, "lrfinder's training contract (JSON)", false);
    byte[] bytes = ModelFiles.readAll(file);
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(bytes);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw new ModelException("'" + file + "' is not valid JSON"
          + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")")
          + ": " + e.getOriginalMessage().lines().findFirst().orElse("").trim(), e);
    } catch (IOException e) {
      throw new ModelException("cannot read '" + file + "': " + ModelFiles.reason(e), e);
    }
    if (root == null || !root.isObject()) {
      throw new ModelException("'" + file + "' is not a valid lrfinder contract: it holds no JSON"
          + " object");
    }
    try {
      return parse(root);
    } catch (IllegalArgumentException e) {
      throw new ModelException("'" + file + "' is not a valid lrfinder contract: "
          + e.getMessage(), e);
    }
  }

  @SuppressWarnings("unchecked")
  static ModelContract parse(JsonNode root) {
    JsonNode versionNode = required(root, "contract_version");
    if (!versionNode.canConvertToInt() || !versionNode.isIntegralNumber()) {
      throw new IllegalArgumentException("field 'contract_version' is not an integer");
    }
    int version = versionNode.asInt();
    if (version < 1 || version > SUPPORTED_VERSION) {
      throw new IllegalArgumentException("contract version " + version + " is not supported (this"
          + " lrfinder reads versions 1 to " + SUPPORTED_VERSION + ")");
    }
    List<String> metrics = strings(root, "metrics");
    List<OptimizerInfo> optimizers = new ArrayList<>();
    JsonNode listed = required(root, "optimizers");
    if (!listed.isArray()) {
      throw new IllegalArgumentException("field 'optimizers' is not a list");
    }
    for (JsonNode o : listed) {
      if (!o.isObject()) {
        throw new IllegalArgumentException("an entry of 'optimizers' is not an object");
      }
      String key = text(o, "key");
      if (optimizers.stream().anyMatch(known -> known.key().equals(key))) {
        throw new IllegalArgumentException("optimizer '" + key + "' is listed twice");
      }
      JsonNode rate = required(o, "initial_learning_rate");
      if (!rate.isNumber() || !Double.isFinite(rate.asDouble()) || rate.asDouble() < 0) {
        throw new IllegalArgumentException("the initial_learning_rate of optimizer '" + key
            + "' is " + rate + "; it must be a finite number >= 0");
      }
      optimizers.add(new OptimizerInfo(key, o.path("class_name").asText(""),
          config(o, "config", "the config of optimizer '" + key + "'"), rate.asDouble()));
    }
    if (optimizers.isEmpty()) {
      throw new IllegalArgumentException("it lists no optimizers");
    }
    List<TensorSpec> inputs;
    List<OutputSpec> outputs;
    if (version == 1) {
      String loss = required(root, "loss").path("name").asText();
      // The class count is the output's, which v1 metadata does not record (ExportedModel adds it).
      TensorSpec label = spec(required(root, "label"), "label")
          .withValues(LabelValues.forLoss(loss, new long[0]));
      inputs = List.of(spec(required(root, "input"), "input"));
      outputs = List.of(new OutputSpec(label.key(), new long[0], label, loss,
          config(required(root, "loss"), "config", "the config of the loss"), 1.0, metrics));
    } else {
      inputs = inputs(root);
      outputs = outputs(root);
    }
    return new ModelContract(
        version,
        root.path("model_name").asText("model"),
        root.path("source").isNull() ? null : root.path("source").asText(null),
        root.path("parameter_count").asLong(),
        root.path("trainable_parameter_count").asLong(),
        inputs,
        outputs,
        metrics,
        strings(root, "notes"),
        optimizers,
        root.path("keras_library").asText(""),
        root.path("tensorflow_version").asText("unknown"),
        root.path("keras_version").asText("unknown"));
  }

  private static List<TensorSpec> inputs(JsonNode root) {
    JsonNode listed = required(root, "inputs");
    if (!listed.isArray() || listed.isEmpty()) {
      throw new IllegalArgumentException("field 'inputs' is not a non-empty list");
    }
    List<TensorSpec> inputs = new ArrayList<>();
    Set<String> names = new HashSet<>();
    Set<String> keys = new HashSet<>();
    for (JsonNode node : listed) {
      String role = "input " + (inputs.size() + 1);
      TensorSpec spec = spec(node, role).withKey(text(node, "key"));
      unique(names, spec.name(), "input name");
      unique(keys, spec.key(), "input key");
      inputs.add(spec);
    }
    return inputs;
  }

  private static List<OutputSpec> outputs(JsonNode root) {
    JsonNode listed = required(root, "outputs");
    if (!listed.isArray() || listed.isEmpty()) {
      throw new IllegalArgumentException("field 'outputs' is not a non-empty list");
    }
    List<OutputSpec> outputs = new ArrayList<>();
    Set<String> keys = new HashSet<>();
    Set<String> labels = new HashSet<>();
    for (JsonNode node : listed) {
      if (!node.isObject()) {
        throw new IllegalArgumentException("an entry of 'outputs' is not an object");
      }
      String key = text(node, "key");
      unique(keys, key, "output key");
      long[] shape = shape(required(node, "shape"), "output '" + key + "'");
      TensorSpec label = spec(required(node, "label"), "the label of output '" + key + "'")
          .withKey(key);
      unique(labels, label.name(), "label name");
      if (label.dtype().isString()) {
        throw new IllegalArgumentException("the label of output '" + key + "' is a string;"
            + " labels are numbers");
      }
      JsonNode loss = required(node, "loss");
      String lossName = text(loss, "name");
      JsonNode weight = node.path("loss_weight");
      double lossWeight = weight.isMissingNode() || weight.isNull() ? 1.0 : weight.asDouble();
      if (!weight.isMissingNode() && !weight.isNull()
          && (!weight.isNumber() || !Double.isFinite(lossWeight) || lossWeight < 0)) {
        throw new IllegalArgumentException("the loss_weight of output '" + key + "' is "
            + weight + "; it must be a finite number >= 0");
      }
      outputs.add(new OutputSpec(key, shape, label, lossName,
          config(loss, "config", "the loss config of output '" + key + "'"), lossWeight,
          strings(node, "metrics")).withOutputShape(shape));
    }
    return outputs;
  }

  private static void unique(Set<String> seen, String value, String what) {
    if (!seen.add(value)) {
      throw new IllegalArgumentException(what + " '" + value + "' is listed twice");
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> config(JsonNode node, String field, String what) {
    JsonNode config = node.path(field);
    if (config.isMissingNode() || config.isNull()) {
      return Map.of();
    }
    if (!config.isObject()) {
      throw new IllegalArgumentException(what + " is not an object");
    }
    return new ObjectMapper().convertValue(config, Map.class);
  }

  private static List<String> strings(JsonNode node, String field) {
    JsonNode listed = node.path(field);
    if (listed.isMissingNode() || listed.isNull()) {
      return List.of();
    }
    if (!listed.isArray()) {
      throw new IllegalArgumentException("field '" + field + "' is not a list");
    }
    List<String> values = new ArrayList<>();
    for (JsonNode value : listed) {
      if (!value.isTextual()) {
        throw new IllegalArgumentException("an entry of '" + field + "' is not a string");
      }
      values.add(value.asText());
    }
    return values;
  }

  private static TensorSpec spec(JsonNode node, String role) {
    if (!node.isObject()) {
      throw new IllegalArgumentException("field '" + role + "' is not an object");
    }
    String dtypeLabel = text(node, "dtype");
    DType dtype = DType.fromLabel(dtypeLabel).orElseThrow(
        () -> new IllegalArgumentException("dtype '" + dtypeLabel + "' is not supported"));
    return new TensorSpec(text(node, "name"), dtype,
        shape(required(node, "shape"), "'" + role + "'"));
  }

  /** A shape; {@code what} names its owner in messages ({@code 'input'}, {@code output 'age'}). */
  private static long[] shape(JsonNode shapeNode, String what) {
    if (!shapeNode.isArray()) {
      throw new IllegalArgumentException("the shape of " + what + " is not a list");
    }
    long[] shape = new long[shapeNode.size()];
    for (int i = 0; i < shape.length; i++) {
      JsonNode dim = shapeNode.get(i);
      if (!dim.isNull() && (!dim.isIntegralNumber() || dim.asLong() < 0)) {
        throw new IllegalArgumentException("the shape of " + what + " has dimension " + dim
            + "; each must be a size >= 0 or null");
      }
      shape[i] = dim.isNull() ? -1 : dim.asLong();
    }
    return shape;
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = required(node, field);
    if (!value.isTextual() || value.asText().isEmpty()) {
      throw new IllegalArgumentException("field '" + field + "' is not a non-empty string");
    }
    return value.asText();
  }

  private static JsonNode required(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isMissingNode()) {
      throw new IllegalArgumentException("field '" + field + "' is missing");
    }
    return value;
  }
}
