package dev.lrfinder.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lrfinder.io.IoErrors;
import dev.lrfinder.suggest.CyclicalBounds;
import dev.lrfinder.suggest.Suggestion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads the cyclical bounds ({@code cyclical_base}, {@code cyclical_max}) of one optimizer from a
 * {@code find} report: from its {@code result.json} on disk ({@link #read}), or from the range
 * test just run ({@link #of}). Every refusal is one {@link IllegalArgumentException} line naming
 * the report: a missing directory or {@code result.json}, a file that is not a find report's, an
 * optimizer the report did not test, bounds the range test did not find.
 */
public final class FindReportBounds {
  private static final ObjectMapper JSON = new ObjectMapper();

  private FindReportBounds() {}

  /** The bounds of {@code optimizer} in the find report directory {@code reportDir}. */
  public static BoundsSource read(Path reportDir, String optimizer) {
    if (!Files.isDirectory(reportDir)) {
      throw new IllegalArgumentException("find report '" + reportDir + "' is not a directory");
    }
    Path file = reportDir.resolve(ResultJson.FILE_NAME);
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("'" + reportDir + "' is not a find report: it has no "
          + ResultJson.FILE_NAME + (Files.isRegularFile(reportDir.resolve(TrainingJson.FILE_NAME))
              ? " (it is a training report)" : ""));
    }
    JsonNode root;
    try {
      root = JSON.readTree(Files.readString(file));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("'" + file + "' is not a find report's result: it is"
          + " not valid JSON (line " + e.getLocation().getLineNr() + ")");
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read '" + file + "': " + IoErrors.reason(e));
    }
    if (root == null || !root.isObject() || !root.has("lrfinder_report_version")
        || !root.path("optimizers").isArray()) {
      throw new IllegalArgumentException("'" + file + "' is not a find report's result (no"
          + " lrfinder_report_version and optimizers)");
    }
    int version = root.path("lrfinder_report_version").asInt(-1);
    if (version != ResultJson.VERSION) {
      throw new IllegalArgumentException("'" + file + "' is a find report of version "
          + root.path("lrfinder_report_version") + "; this lrfinder reads version "
          + ResultJson.VERSION);
    }
    List<String> tested = new ArrayList<>();
    for (JsonNode curve : root.path("optimizers")) {
      String key = curve.path("optimizer").asText();
      tested.add(key);
      if (!key.equals(optimizer)) {
        continue;
      }
      Optional<Suggestion> base = suggestion(curve, CyclicalBounds.BASE);
      Optional<Suggestion> max = suggestion(curve, CyclicalBounds.MAX);
      if (base.isEmpty() || max.isEmpty()) {
        throw new IllegalArgumentException("find report '" + reportDir + "' has no cyclical"
            + " bounds for " + optimizer + " (it was written without the cyclical rule)");
      }
      return source(reportDir.toString(), indexHref(reportDir),
          root.path("model").path("name").asText(""), optimizer, base.get(), max.get(),
          rangeTest(root.path("config")), reportDir);
    }
    throw new IllegalArgumentException("find report '" + reportDir + "' has no range test for "
        + optimizer + " (it tested " + String.join(", ", tested) + "); run find --optimizers "
        + optimizer);
  }

  /**
   * The bounds of {@code optimizer} found by the range test of {@code input}, for a training
   * report whose page links to the find report's page by {@code href}.
   */
  public static BoundsSource of(ReportInput input, String optimizer, String report,
      String href) {
    Optional<Suggestion> base = input.suggestion(optimizer, CyclicalBounds.BASE);
    Optional<Suggestion> max = input.suggestion(optimizer, CyclicalBounds.MAX);
    if (base.isEmpty() || max.isEmpty()) {
      throw new IllegalArgumentException("the range test of " + optimizer + " has no cyclical"
          + " bounds");
    }
    var config = input.result().config();
    String settings = String.format(Locale.ROOT, "from %s to %s, batch %d, seed %d",
        Format.lr(config.startLr()), Format.lr(config.endLr()), config.batchSize(),
        config.seed());
    return source(report, href, input.modelName(), optimizer, base.get(), max.get(), settings,
        null);
  }

  private static BoundsSource source(String report, String href, String model, String optimizer,
      Suggestion base, Suggestion max, String rangeTest, Path reportDir) {
    String where = reportDir == null ? "the range test" : "find report '" + reportDir + "'";
    if (!base.found() || !max.found()) {
      String why = !base.found() ? base.note() : max.note();
      throw new IllegalArgumentException(where + " found no cyclical bounds for " + optimizer
          + (why.isBlank() ? "" : ": " + why));
    }
    if (!(base.learningRate() < max.learningRate())) {
      throw new IllegalArgumentException(where + " gives cyclical bounds for " + optimizer
          + " with base " + base.learningRate() + " not below max " + max.learningRate());
    }
    return new BoundsSource(report, href, model, optimizer, base.learningRate(),
        max.learningRate(), base.note(), max.note(), rangeTest);
  }

  private static Optional<Suggestion> suggestion(JsonNode curve, String rule) {
    for (JsonNode s : curve.path("suggestions")) {
      if (rule.equals(s.path("rule").asText())) {
        JsonNode lr = s.path("lr");
        String note = s.path("note").asText("");
        return Optional.of(lr.isNumber() && lr.asDouble() > 0
            ? Suggestion.of(rule, lr.asDouble(), note) : Suggestion.none(rule, note));
      }
    }
    return Optional.empty();
  }

  private static String rangeTest(JsonNode config) {
    if (!config.isObject()) {
      return "";
    }
    return String.format(Locale.ROOT, "from %s to %s, batch %d, seed %d",
        Format.lr(config.path("start_lr").asDouble()), Format.lr(config.path("end_lr").asDouble()),
        config.path("batch_size").asInt(), config.path("seed").asLong());
  }

  private static String indexHref(Path reportDir) {
    return reportDir.toAbsolutePath().normalize().resolve(HtmlReport.FILE_NAME).toUri()
        .toString();
  }
}
