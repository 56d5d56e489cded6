package dev.lrfinder.examples.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lrfinder.rangetest.RangeTestConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The body of {@code POST /jobs}, checked: a model directory and a data file under the service's
 * root, and the range test's settings.
 *
 * <pre>{@code
 * {"model": "savedmodels/blobs_mlp", "data": "savedmodels/blobs_mlp.npz",
 *  "rangeTest": {"steps": 100, "batchSize": 32, "startLr": 1e-7, "endLr": 10,
 *                "optimizers": ["adam", "sgd"], "seed": 0, "stopFactor": 4, "shuffle": true}}
 * }</pre>
 *
 * <p>{@code rangeTest} and each of its fields are optional (lrfinder's defaults apply).
 *
 * @param model the SavedModel directory (real path, under the root)
 * @param data the {@code .npz} or {@code .csv} training data (real path, under the root)
 * @param config the range test's settings
 */
public record JobRequest(Path model, Path data, RangeTestConfig config) {
  private static final Set<String> FIELDS = Set.of("model", "data", "rangeTest");
  private static final Set<String> SETTINGS = Set.of("steps", "batchSize", "startLr", "endLr",
      "optimizers", "seed", "stopFactor", "shuffle");

  /**
   * Reads and checks a request.
   *
   * @param body the parsed JSON body
   * @param root the folder that model and data paths are resolved in and must stay inside
   * @throws BadRequest naming the first problem, in one line
   */
  static JobRequest parse(JsonNode body, Path root) throws BadRequest {
    if (body == null || !body.isObject()) {
      throw new BadRequest("the body must be a JSON object");
    }
    checkFields(body, FIELDS, "");
    Path model = path(body, "model", root);
    if (!Files.isDirectory(model) || !Files.isRegularFile(model.resolve("saved_model.pb"))) {
      throw new BadRequest("model: not a SavedModel directory (no saved_model.pb): "
          + body.get("model").asText());
    }
    Path data = path(body, "data", root);
    String name = data.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
    if (!Files.isRegularFile(data) || !(name.endsWith(".npz") || name.endsWith(".csv"))) {
      throw new BadRequest("data: not an .npz or .csv file: " + body.get("data").asText());
    }
    return new JobRequest(model, data, config(body.get("rangeTest")));
  }

  private static void checkFields(JsonNode object, Set<String> known, String prefix)
      throws BadRequest {
    for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
      String field = names.next();
      if (!known.contains(field)) {
        throw new BadRequest("unknown field " + prefix + field + " (known: "
            + String.join(", ", new java.util.TreeSet<>(known)) + ")");
      }
    }
  }

  /** A path field, resolved in {@code root}; it must exist and stay inside it, links followed. */
  private static Path path(JsonNode body, String field, Path root) throws BadRequest {
    JsonNode value = body.get(field);
    if (value == null || !value.isTextual() || value.asText().isBlank()) {
      throw new BadRequest(field + ": a path is required");
    }
    try {
      Path resolved = root.resolve(value.asText()).normalize();
      if (!resolved.startsWith(root)) {
        throw new BadRequest(field + ": must be inside the service's root: " + value.asText());
      }
      if (!Files.exists(resolved)) {
        throw new BadRequest(field + ": no such file or directory: " + value.asText());
      }
      Path real = resolved.toRealPath();
      if (!real.startsWith(root.toRealPath())) {
        throw new BadRequest(field + ": must be inside the service's root: " + value.asText());
      }
      return real;
    } catch (InvalidPathException | IOException e) {
      throw new BadRequest(field + ": not a usable path: " + value.asText());
    }
  }

  private static RangeTestConfig config(JsonNode settings) throws BadRequest {
    RangeTestConfig.Builder builder = RangeTestConfig.builder();
    if (settings == null || settings.isNull()) {
      return builder.build();
    }
    if (!settings.isObject()) {
      throw new BadRequest("rangeTest: must be a JSON object");
    }
    checkFields(settings, SETTINGS, "rangeTest.");
    if (settings.has("steps")) {
      builder.steps(integer(settings, "steps"));
    }
    if (settings.has("batchSize")) {
      builder.batchSize(Math.toIntExact(integer(settings, "batchSize")));
    }
    if (settings.has("seed")) {
      builder.seed(integer(settings, "seed"));
    }
    if (settings.has("startLr")) {
      builder.startLr(number(settings, "startLr"));
    }
    if (settings.has("endLr")) {
      builder.endLr(number(settings, "endLr"));
    }
    if (settings.has("stopFactor")) {
      builder.stopFactor(number(settings, "stopFactor"));
    }
    if (settings.has("shuffle")) {
      if (!settings.get("shuffle").isBoolean()) {
        throw new BadRequest("rangeTest.shuffle: must be true or false");
      }
      builder.shuffle(settings.get("shuffle").asBoolean());
    }
    if (settings.has("optimizers")) {
      JsonNode keys = settings.get("optimizers");
      List<String> optimizers = new ArrayList<>();
      if (!keys.isArray()) {
        throw new BadRequest("rangeTest.optimizers: must be an array of optimizer keys");
      }
      for (JsonNode key : keys) {
        if (!key.isTextual()) {
          throw new BadRequest("rangeTest.optimizers: must be an array of optimizer keys");
        }
        optimizers.add(key.asText());
      }
      builder.optimizers(optimizers);
    }
    try {
      return builder.build();
    } catch (IllegalArgumentException e) {
      throw new BadRequest("rangeTest: " + e.getMessage());
    }
  }

  private static long integer(JsonNode settings, String field) throws BadRequest {
    JsonNode value = settings.get(field);
    boolean seed = field.equals("seed"); // any integer; the others count something
    if (!value.isIntegralNumber() || !value.canConvertToLong()
        || !seed && (value.asLong() <= 0 || value.asLong() > Integer.MAX_VALUE)) {
      throw new BadRequest("rangeTest." + field + ": must be a" + (seed ? "n" : " positive")
          + " integer, got " + value);
    }
    return value.asLong();
  }

  private static double number(JsonNode settings, String field) throws BadRequest {
    JsonNode value = settings.get(field);
    if (!value.isNumber()) {
      throw new BadRequest("rangeTest." + field + ": must be a number, got " + value);
    }
    return value.asDouble();
  }
}
