package dev.lrfinder.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lrfinder.data.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a trainable model offers, as written by {@code scripts/export.py} to
 * {@code assets/lrfinder.json} (see docs/contract.md).
 */
public record ModelContract(
    int contractVersion,
    String modelName,
    String source,
    long parameterCount,
    long trainableParameterCount,
    TensorSpec input,
    TensorSpec label,
    String loss,
    List<String> metrics,
    List<OptimizerInfo> optimizers,
    String tensorflowVersion,
    String kerasVersion) {

  public static final int SUPPORTED_VERSION = 1;
  public static final String METADATA_PATH = "assets/lrfinder.json";

  public ModelContract {
    metrics = List.copyOf(metrics);
    optimizers = List.copyOf(optimizers);
  }

  /** This contract with {@code values} as what its labels may hold. */
  public ModelContract withLabelValues(LabelValues values) {
    return new ModelContract(contractVersion, modelName, source, parameterCount,
        trainableParameterCount, input, label.withValues(values), loss, metrics, optimizers,
        tensorflowVersion, kerasVersion);
  }

  public List<String> optimizerKeys() {
    return optimizers.stream().map(OptimizerInfo::key).toList();
  }

  /** Reads and checks {@code assets/lrfinder.json} of a SavedModel directory. */
  public static ModelContract read(Path modelDir) {
    Path file = modelDir.resolve(METADATA_PATH);
    if (!Files.isRegularFile(file)) {
      throw new ModelException("'" + modelDir + "' is a SavedModel without lrfinder's training"
          + " contract (no " + METADATA_PATH + "); export it with scripts/export.py");
    }
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new ModelException("'" + file + "' is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
    }
    try {
      return parse(root);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new ModelException("'" + file + "' is not a valid lrfinder contract: " + e.getMessage());
    }
  }

  @SuppressWarnings("unchecked")
  static ModelContract parse(JsonNode root) {
    int version = required(root, "contract_version").asInt();
    if (version != SUPPORTED_VERSION) {
      throw new IllegalArgumentException("contract version " + version + " is not supported (this"
          + " lrfinder reads version " + SUPPORTED_VERSION + ")");
    }
    List<String> metrics = new ArrayList<>();
    root.path("metrics").forEach(m -> metrics.add(m.asText()));
    List<OptimizerInfo> optimizers = new ArrayList<>();
    ObjectMapper mapper = new ObjectMapper();
    for (JsonNode o : required(root, "optimizers")) {
      optimizers.add(new OptimizerInfo(
          required(o, "key").asText(),
          o.path("class_name").asText(""),
          mapper.convertValue(o.path("config"), Map.class),
          required(o, "initial_learning_rate").asDouble()));
    }
    if (optimizers.isEmpty()) {
      throw new IllegalArgumentException("it lists no optimizers");
    }
    String loss = required(root, "loss").path("name").asText();
    // The class count is the output's, which the metadata does not record (ExportedModel adds it).
    TensorSpec label = spec(required(root, "label"))
        .withValues(LabelValues.forLoss(loss, new long[0]));
    return new ModelContract(
        version,
        root.path("model_name").asText("model"),
        root.path("source").isNull() ? null : root.path("source").asText(null),
        root.path("parameter_count").asLong(),
        root.path("trainable_parameter_count").asLong(),
        spec(required(root, "input")),
        label,
        loss,
        metrics,
        optimizers,
        root.path("tensorflow_version").asText("unknown"),
        root.path("keras_version").asText("unknown"));
  }

  private static TensorSpec spec(JsonNode node) {
    String dtypeLabel = required(node, "dtype").asText();
    DType dtype = DType.fromLabel(dtypeLabel).orElseThrow(
        () -> new IllegalArgumentException("dtype '" + dtypeLabel + "' is not supported"));
    JsonNode shapeNode = required(node, "shape");
    long[] shape = new long[shapeNode.size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = shapeNode.get(i).isNull() ? -1 : shapeNode.get(i).asLong();
    }
    return new TensorSpec(required(node, "name").asText(), dtype, shape);
  }

  private static JsonNode required(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isMissingNode()) {
      throw new IllegalArgumentException("field '" + field + "' is missing");
    }
    return value;
  }
}
