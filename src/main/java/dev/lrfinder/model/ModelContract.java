package dev.lrfinder.model;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lrfinder.data.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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
    if (version != SUPPORTED_VERSION) {
      throw new IllegalArgumentException("contract version " + version + " is not supported (this"
          + " lrfinder reads version " + SUPPORTED_VERSION + ")");
    }
    List<String> metrics = new ArrayList<>();
    root.path("metrics").forEach(m -> metrics.add(m.asText()));
    List<OptimizerInfo> optimizers = new ArrayList<>();
    ObjectMapper mapper = new ObjectMapper();
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
      JsonNode config = o.path("config");
      if (!config.isObject() && !config.isMissingNode() && !config.isNull()) {
        throw new IllegalArgumentException("the config of optimizer '" + key
            + "' is not an object");
      }
      JsonNode rate = required(o, "initial_learning_rate");
      if (!rate.isNumber() || !Double.isFinite(rate.asDouble()) || rate.asDouble() < 0) {
        throw new IllegalArgumentException("the initial_learning_rate of optimizer '" + key
            + "' is " + rate + "; it must be a finite number >= 0");
      }
      optimizers.add(new OptimizerInfo(key, o.path("class_name").asText(""),
          config.isObject() ? mapper.convertValue(config, Map.class) : Map.of(),
          rate.asDouble()));
    }
    if (optimizers.isEmpty()) {
      throw new IllegalArgumentException("it lists no optimizers");
    }
    String loss = required(root, "loss").path("name").asText();
    // The class count is the output's, which the metadata does not record (ExportedModel adds it).
    TensorSpec label = spec(required(root, "label"), "label")
        .withValues(LabelValues.forLoss(loss, new long[0]));
    return new ModelContract(
        version,
        root.path("model_name").asText("model"),
        root.path("source").isNull() ? null : root.path("source").asText(null),
        root.path("parameter_count").asLong(),
        root.path("trainable_parameter_count").asLong(),
        spec(required(root, "input"), "input"),
        label,
        loss,
        metrics,
        optimizers,
        root.path("tensorflow_version").asText("unknown"),
        root.path("keras_version").asText("unknown"));
  }

  private static TensorSpec spec(JsonNode node, String role) {
    if (!node.isObject()) {
      throw new IllegalArgumentException("field '" + role + "' is not an object");
    }
    String dtypeLabel = text(node, "dtype");
    DType dtype = DType.fromLabel(dtypeLabel).orElseThrow(
        () -> new IllegalArgumentException("dtype '" + dtypeLabel + "' is not supported"));
    JsonNode shapeNode = required(node, "shape");
    if (!shapeNode.isArray()) {
      throw new IllegalArgumentException("the shape of '" + role + "' is not a list");
    }
    long[] shape = new long[shapeNode.size()];
    for (int i = 0; i < shape.length; i++) {
      JsonNode dim = shapeNode.get(i);
      if (!dim.isNull() && (!dim.isIntegralNumber() || dim.asLong() < 0)) {
        throw new IllegalArgumentException("the shape of '" + role + "' has dimension " + dim
            + "; each must be a size >= 0 or null");
      }
      shape[i] = dim.isNull() ? -1 : dim.asLong();
    }
    return new TensorSpec(text(node, "name"), dtype, shape);
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
