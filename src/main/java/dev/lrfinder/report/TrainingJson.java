package dev.lrfinder.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lrfinder.lab.EpochRecord;
import dev.lrfinder.lab.TrainingConfig;
import dev.lrfinder.lab.TrainingResult;
import java.util.List;
import java.util.Map;

/**
 * The training report's {@code training.json}: the run's settings, every epoch's values (keyed as
 * Keras logs them) and every step's rate and loss; NaN and infinite numbers are {@code null}.
 */
public final class TrainingJson {
  /** The file name beside the page. */
  public static final String FILE_NAME = "training.json";
  /** The layout's version, raised when a field changes meaning. */
  public static final int VERSION = 1;

  private TrainingJson() {}

  /** The document as indented JSON. */
  public static String toJson(TrainingReportInput input) {
    return indented(tree(input));
  }

  /** {@code tree} as indented JSON. */
  static String indented(ObjectNode tree) {
    try {
      return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
          .writeValueAsString(tree);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }

  static ObjectNode tree(TrainingReportInput input) {
    TrainingResult result = input.result();
    TrainingConfig config = result.config();
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("version", VERSION);
    root.put("kind", "training");
    root.put("model", input.modelName());
    root.put("model_dir", path(input.modelDir()));
    root.put("data", path(input.dataFile()));
    root.put("training_path", input.trainingPath());
    ObjectNode settings = root.putObject("config");
    settings.put("optimizer", config.optimizer());
    settings.put("epochs", config.epochs());
    settings.put("batch_size", config.batchSize());
    settings.put("shuffle", config.shuffle());
    settings.put("seed", config.seed());
    settings.put("schedule", result.schedule());
    ArrayNode rules = settings.putArray("rules");
    config.rules().forEach(r -> rules.add(r.describe()));
    settings.put("validation_split", config.validationSplit());
    settings.put("validation", input.validationSource());
    BoundsSource bounds = input.boundsFrom();
    if (bounds == null) {
      settings.putNull("bounds_from");
    } else {
      ObjectNode from = settings.putObject("bounds_from");
      from.put("report", bounds.report());
      from.put("model", bounds.model());
      from.put("optimizer", bounds.optimizer());
      from.put("min", bounds.base());
      from.put("max", bounds.max());
      from.put("min_note", bounds.baseNote());
      from.put("max_note", bounds.maxNote());
      from.put("range_test", bounds.rangeTest());
    }
    root.put("steps_per_epoch", result.stepsPerEpoch());
    root.put("train_rows", result.trainRows());
    root.put("validation_rows", result.validationRows());
    root.put("stop_reason", result.stopReason().name().toLowerCase(java.util.Locale.ROOT));
    root.put("stop_detail", result.stopDetail());
    root.put("seconds", result.seconds());
    ArrayNode notes = root.putArray("notes");
    input.notes().forEach(notes::add);
    result.notes().forEach(notes::add);
    ArrayNode epochs = root.putArray("epochs");
    for (EpochRecord epoch : result.epochs()) {
      ObjectNode item = epochs.addObject();
      item.put("epoch", epoch.epoch() + 1);
      item.put("steps", epoch.steps());
      item.put("complete", epoch.complete());
      number(item, "learning_rate", epoch.learningRate());
      values(item.putObject("train"), epoch.train());
      values(item.putObject("validation"), epoch.validation());
      item.put("decision", epoch.decision());
      item.put("seconds", epoch.seconds());
    }
    ObjectNode steps = root.putObject("steps");
    numbers(steps.putArray("learning_rate"), result.stepRates());
    numbers(steps.putArray("loss"), result.stepLosses());
    ObjectNode environment = root.putObject("environment");
    environment.put("tensorflow", input.tensorflowVersion());
    environment.put("java", input.javaVersion());
    environment.put("created_at", input.createdAt().toString());
    environment.put("command", input.command());
    return root;
  }

  private static void values(ObjectNode node, Map<String, Double> values) {
    values.forEach((key, value) -> number(node, key, value));
  }

  private static void number(ObjectNode node, String key, double value) {
    if (Double.isFinite(value)) {
      node.put(key, value);
    } else {
      node.putNull(key);
    }
  }

  private static void numbers(ArrayNode array, List<Double> values) {
    values.forEach(v -> {
      if (Double.isFinite(v)) {
        array.add(v);
      } else {
        array.addNull();
      }
    });
  }

  private static String path(java.nio.file.Path path) {
    return path == null ? null : path.toAbsolutePath().normalize().toString();
  }
}
