package dev.lrfinder.lab;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lrfinder.model.OptimizerInfo;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * An experiment file (docs/sweeps.md): a sweep written down with where it comes from and what it
 * showed. JSON, read with Jackson:
 *
 * <pre>{@code
 * { "name": "seed004-rates", "title": "...", "source": "...", "claim": "...",
 *   "model": "../savedmodels/blobs_mlp", "data": "../savedmodels/blobs_mlp.npz",
 *   "train": { "optimizer": "sgd", "epochs": 200, "batch-size": 32 },
 *   "vary": { "parameter": "lr", "values": [1, 0.1, 0.01] } }
 * }</pre>
 *
 * <p>or, instead of {@code vary}, {@code "runs": [ {"label": "...", "schedule": "..."}, ...]},
 * each run overriding keys of {@code train}. The keys of {@code train} and of a run are
 * {@code train}'s long option names ({@link TrainSettings#KEYS}); paths are relative to the
 * file's folder. Every mistake is an {@link IllegalArgumentException} of one line naming the
 * file and the key.
 *
 * @param file the experiment file
 * @param name the report's name prefix (default: the file's name without {@code .json})
 * @param title shown as the report's title, or ""
 * @param source where the experiment comes from, or ""
 * @param claim what the source concluded, or ""
 * @param modelDir the model, resolved against the file's folder
 * @param dataFile the data, resolved, or {@code null} for the model's {@code .npz} beside it
 * @param train the base settings
 * @param vary the varied parameter and its values, or {@code null} when the file lists runs
 * @param runs the whole configurations, or {@code null} when the file varies a parameter
 */
public record Experiment(Path file, String name, String title, String source, String claim,
    Path modelDir, Path dataFile, TrainSettings train, SweepPlan.Values vary,
    List<SweepPlan.Point> runs) {

  /** The keys of an experiment file, in the order the docs list them. */
  public static final List<String> KEYS = List.of("name", "title", "source", "claim", "model",
      "data", "train", "vary", "runs");

  public Experiment {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(modelDir, "modelDir");
    Objects.requireNonNull(train, "train");
    if ((vary == null) == (runs == null)) {
      throw new IllegalArgumentException(file + ": give \"vary\" or \"runs\", one of them");
    }
    runs = runs == null ? null : List.copyOf(runs);
  }

  /**
   * The sweep the file describes.
   *
   * @param baseOptimizer the base settings' optimizer key, resolved on the model
   * @param optimizers the model's optimizers (for {@code momentum} and {@code optimizer})
   * @throws IllegalArgumentException naming the file, for values that do not fit the model
   */
  public SweepPlan plan(String baseOptimizer, List<OptimizerInfo> optimizers) {
    try {
      return vary != null ? SweepPlan.vary(vary, train, baseOptimizer, optimizers)
          : SweepPlan.of(runs);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads and checks {@code file}.
   *
   * @throws IllegalArgumentException one line naming the file (and the key): a missing or
   *     unreadable file, JSON that does not parse, an unknown or missing key, a bad value
   */
  public static Experiment read(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("experiment file '" + file + "' does not exist");
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read experiment file '" + file + "': "
          + e.getMessage());
    }
    JsonNode root;
    try {
      root = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(text);
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr()
          + ", column " + e.getLocation().getColumnNr() + ")";
      throw new IllegalArgumentException(file + ": not valid JSON" + where + ": "
          + e.getOriginalMessage().lines().findFirst().orElse(""));
    }
    return new Reader(file).experiment(root);
  }

  /** The checks of one file, every error prefixed with it. */
  private record Reader(Path file) {
    Experiment experiment(JsonNode root) {
      if (root == null || !root.isObject()) {
        throw error("", "the file must hold one JSON object");
      }
      onlyKeys(root, "", KEYS);
      String name = text(root, "name", false);
      if (name.isEmpty()) {
        String fileName = file.getFileName().toString();
        name = fileName.endsWith(".json") ? fileName.substring(0, fileName.length() - 5)
            : fileName;
      }
      Path folder = file.toAbsolutePath().normalize().getParent();
      Path model = folder.resolve(text(root, "model", true)).normalize();
      String data = text(root, "data", false);
      TrainSettings train = TrainSettings.defaults(dev.lrfinder.rangetest.RangeTestConfig
          .DEFAULT_BATCH_SIZE, dev.lrfinder.rangetest.RangeTestConfig.DEFAULT_SEED);
      if (root.has("train")) {
        train = settings(root.get("train"), "train", train, TrainSettings.KEYS);
      }
      boolean vary = root.has("vary");
      boolean runs = root.has("runs");
      if (vary == runs) {
        throw error("", vary ? "give \"vary\" or \"runs\", not both"
            : "give \"vary\" (a parameter and its values) or \"runs\" (whole configurations)");
      }
      return new Experiment(file, name, text(root, "title", false), text(root, "source", false),
          text(root, "claim", false), model, data.isEmpty() ? null
              : folder.resolve(data).normalize(), train, vary ? vary(root.get("vary")) : null,
          runs ? runs(root.get("runs"), train) : null);
    }

    SweepPlan.Values vary(JsonNode node) {
      if (!node.isObject()) {
        throw error("vary", "must be an object {\"parameter\": ..., \"values\": [...]}");
      }
      onlyKeys(node, "vary", List.of("parameter", "values"));
      String parameter = text(node, "parameter", true, "vary.parameter");
      JsonNode values = node.get("values");
      if (values == null || !values.isArray() || values.isEmpty()) {
        throw error("vary.values", "must be a non-empty list of values");
      }
      List<String> texts = new ArrayList<>();
      for (int i = 0; i < values.size(); i++) {
        texts.add(scalar(values.get(i), "vary.values[" + i + "]"));
      }
      try {
        return new SweepPlan.Values(parameter.toLowerCase(Locale.ROOT).replace('_', '-'), texts);
      } catch (IllegalArgumentException e) {
        throw error("vary", e.getMessage());
      }
    }

    List<SweepPlan.Point> runs(JsonNode node, TrainSettings base) {
      if (!node.isArray() || node.isEmpty()) {
        throw error("runs", "must be a non-empty list of objects");
      }
      List<String> keys = new ArrayList<>(List.of("label"));
      keys.addAll(TrainSettings.KEYS);
      List<SweepPlan.Point> points = new ArrayList<>();
      for (int i = 0; i < node.size(); i++) {
        String where = "runs[" + i + "]";
        JsonNode run = node.get(i);
        TrainSettings settings = settings(run, where, base, keys);
        String label = run.has("label") ? scalar(run.get("label"), where + ".label")
            : "run " + (i + 1);
        points.add(new SweepPlan.Point(label, label, settings));
      }
      try {
        return List.copyOf(SweepPlan.of(points).points());
      } catch (IllegalArgumentException e) {
        throw error("runs", e.getMessage());
      }
    }

    TrainSettings settings(JsonNode node, String where, TrainSettings base, List<String> keys) {
      if (!node.isObject()) {
        throw error(where, "must be an object of train's options (" + String.join(", ",
            TrainSettings.KEYS) + ")");
      }
      onlyKeys(node, where, keys);
      TrainSettings settings = base;
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        if (field.getKey().equals("label")) {
          continue;
        }
        String key = where + "." + field.getKey();
        try {
          settings = settings.with(field.getKey(), scalar(field.getValue(), key));
        } catch (IllegalArgumentException e) {
          throw error(key, e.getMessage());
        }
      }
      return settings;
    }

    void onlyKeys(JsonNode node, String where, List<String> accepted) {
      for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        if (!accepted.contains(name)) {
          throw error(where.isEmpty() ? name : where + "." + name, "unknown key; accepted: "
              + String.join(", ", accepted));
        }
      }
    }

    String text(JsonNode node, String key, boolean required) {
      return text(node, key, required, key);
    }

    String text(JsonNode node, String key, boolean required, String where) {
      JsonNode value = node.get(key);
      if (value == null || value.isNull()) {
        if (required) {
          throw error(where, "is required");
        }
        return "";
      }
      if (!value.isTextual()) {
        throw error(where, "must be a string");
      }
      if (required && value.asText().isBlank()) {
        throw error(where, "must not be empty");
      }
      return value.asText();
    }

    /** A number, string or boolean as text; numbers as they read best ({@code 1e-7}). */
    String scalar(JsonNode value, String where) {
      if (value.isTextual() || value.isBoolean()) {
        return value.asText();
      }
      if (value.isNumber()) {
        BigDecimal number = value.decimalValue().stripTrailingZeros();
        double magnitude = Math.abs(number.doubleValue());
        return number.signum() == 0 ? "0" : magnitude >= 1e-3 && magnitude < 1e6
            ? number.toPlainString()
            : number.toString().toLowerCase(Locale.ROOT).replace("e+", "e");
      }
      throw error(where, "must be a number, a string or true/false");
    }

    IllegalArgumentException error(String key, String message) {
      return new IllegalArgumentException(file + ": " + (key.isEmpty() ? "" : key + ": ")
          + message);
    }
  }
}
