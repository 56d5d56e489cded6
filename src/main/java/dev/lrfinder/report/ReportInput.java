package dev.lrfinder.report;

import dev.lrfinder.model.ModelContract;
import dev.lrfinder.rangetest.RangeTestResult;
import dev.lrfinder.suggest.Suggestion;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything a range-test report shows: the model, the data, the result, the suggestions per
 * optimizer (in the result's optimizer order) and where and when it ran.
 *
 * @param trainingPath how the model was trained ({@code TrainableModel#trainingPath}), e.g.
 *     {@code "direct: trainable, ..."}
 * @param command the command line that produced it, for the record (may be empty)
 */
public record ReportInput(
    Path modelDir,
    Path dataFile,
    ModelContract contract,
    String trainingPath,
    RangeTestResult result,
    Map<String, List<Suggestion>> suggestions,
    String tensorflowVersion,
    String javaVersion,
    Instant createdAt,
    String command) {

  public ReportInput {
    Map<String, List<Suggestion>> copy = new LinkedHashMap<>();
    suggestions.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    suggestions = java.util.Collections.unmodifiableMap(copy);
  }

  public String modelName() {
    return contract.modelName();
  }

  /** The suggestions for {@code optimizer}, in rule order; empty when there are none. */
  public List<Suggestion> suggestionsFor(String optimizer) {
    return suggestions.getOrDefault(optimizer, List.of());
  }

  /** The suggestion of rule {@code rule} for {@code optimizer}, if that rule ran. */
  public Optional<Suggestion> suggestion(String optimizer, String rule) {
    return suggestionsFor(optimizer).stream().filter(s -> s.rule().equals(rule)).findFirst();
  }
}
