package dev.lrfinder.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lrfinder.lab.TrainingResult;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The sweep report's {@code sweep.json}: what varied, the experiment's words, and per run its
 * label, value, final and best values and the whole run as {@code training.json} holds it
 * ({@link TrainingJson}, without the fields the sweep holds once); NaN and infinite numbers are
 * {@code null}. {@code failed_runs} lists the runs a distributed backend could not complete on
 * any attempt, each with its error (empty for a local sweep).
 */
public final class SweepJson {
  /** The file name beside the page. */
  public static final String FILE_NAME = "sweep.json";
  /** The layout's version, raised when a field changes meaning. */
  public static final int VERSION = 1;

  private SweepJson() {}

  /** The document as indented JSON. */
  public static String toJson(SweepReportInput input) {
    return TrainingJson.indented(tree(input));
  }

  static ObjectNode tree(SweepReportInput input) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("version", VERSION);
    root.put("kind", "sweep");
    root.put("title", input.title());
    SweepReportInput.About about = input.about();
    root.put("source", about == null ? "" : about.source());
    root.put("claim", about == null ? "" : about.claim());
    root.put("experiment_file", about == null ? null : path(about.file()));
    root.put("parameter", input.result().parameter());
    root.put("model", input.modelName());
    root.put("model_dir", path(input.modelDir()));
    root.put("data", path(input.dataFile()));
    root.put("training_path", input.trainingPath());
    root.put("validation", input.validationSource());
    root.put("complete", input.result().complete());
    ArrayNode notes = root.putArray("notes");
    input.notes().forEach(notes::add);
    List<TrainingResult> results = input.result().results();
    List<String> keys = SweepMetrics.keys(results);
    ArrayNode runs = root.putArray("runs");
    for (int i = 0; i < results.size(); i++) {
      TrainingResult result = results.get(i);
      ObjectNode run = runs.addObject();
      run.put("run", i + 1);
      run.put("label", input.result().runs().get(i).label());
      run.put("value", input.value(i));
      ObjectNode last = run.putObject("final");
      ObjectNode best = run.putObject("best");
      for (String key : keys) {
        Optional<Double> value = SweepMetrics.last(result, key);
        number(last, key, value.orElse(Double.NaN));
        SweepMetrics.best(result, key).ifPresent(b -> {
          ObjectNode item = best.putObject(key);
          number(item, "value", b.value());
          item.put("epoch", b.epoch());
        });
      }
      ObjectNode training = TrainingJson.tree(new TrainingReportInput(input.modelDir(),
          input.dataFile(), input.contract(), input.trainingPath(), result,
          input.validationSource(), input.tensorflowVersion(), input.javaVersion(),
          input.createdAt(), "", List.of()));
      for (String shared : List.of("version", "kind", "model", "model_dir", "data",
          "training_path", "environment")) {
        training.remove(shared);
      }
      run.set("training", training);
    }
    // The runs a distributed backend could not complete on any attempt, with their errors
    // (docs/spark.md); empty for a local sweep.
    ArrayNode failed = root.putArray("failed_runs");
    for (int i : input.result().failedRuns()) {
      ObjectNode item = failed.addObject();
      item.put("run", i + 1);
      item.put("label", input.result().runs().get(i).label());
      item.put("error", results.get(i).stopDetail());
    }
    ObjectNode environment = root.putObject("environment");
    environment.put("tensorflow", input.tensorflowVersion());
    environment.put("java", input.javaVersion());
    environment.put("created_at", input.createdAt().toString());
    environment.put("command", input.command());
    return root;
  }

  private static void number(ObjectNode node, String key, double value) {
    if (Double.isFinite(value)) {
      node.put(key, value);
    } else {
      node.putNull(key);
    }
  }

  private static String path(Path path) {
    return path == null ? null : path.toAbsolutePath().normalize().toString();
  }
}
