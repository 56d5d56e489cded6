package dev.lrfinder.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lrfinder.TestPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The schedule and plateau specs of the article experiment files (experiments/*.json) parse with
 * the schedule package's own parsers, and give the rates the articles' code computes (seed 003's
 * LearningRateScheduler functions, seed 004's legacy SGD decay), written out here independently.
 */
class ExperimentSpecsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode file(String name) throws IOException {
    return JSON.readTree(TestPaths.root().resolve("experiments").resolve(name + ".json").toFile());
  }

  /** Every configuration of a file: its train block, each run applied over it. */
  private static List<JsonNode> configurations(JsonNode doc) {
    List<JsonNode> all = new ArrayList<>();
    all.add(doc.get("train"));
    if (doc.has("runs")) {
      for (JsonNode run : doc.get("runs")) {
        var merged = doc.get("train").deepCopy();
        run.fields().forEachRemaining(f -> ((com.fasterxml.jackson.databind.node.ObjectNode)
            merged).set(f.getKey(), f.getValue()));
        all.add(merged);
      }
    }
    return all;
  }

  @Test
  void everySpecOfEveryFileParses() throws IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(TestPaths.root().resolve("experiments"))) {
      files = list.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    assertEquals(7, files.stream().filter(p -> p.getFileName().toString().startsWith("seed"))
        .count(), "the articles' seven studies: " + files);
    for (Path path : files) {
      JsonNode doc = JSON.readTree(path.toFile());
      for (JsonNode config : configurations(doc)) {
        Schedules.Run run = new Schedules.Run(config.path("epochs").asLong(1) * 16, 16, 0.01);
        if (config.has("schedule")) {
          Schedule schedule = Schedules.parse(config.get("schedule").asText(), run);
          assertTrue(schedule.learningRate(0, 0) > 0, path + ": " + config);
        }
        if (config.has("plateau")) {
          EpochRules.parsePlateau(config.get("plateau").asText());
        }
      }
      if (doc.has("vary") && doc.get("vary").get("parameter").asText().equals("patience")) {
        for (JsonNode value : doc.get("vary").get("values")) {
          ReduceLROnPlateau rule = EpochRules.parsePlateau(doc.get("train").get("plateau")
              .asText() + ",patience=" + value.asInt());
          assertEquals(new ReduceLROnPlateau("val_loss", 0.1, value.asInt(), 1e-7,
              rule.cooldown(), rule.minLr(), rule.mode()), rule, "seed 004's callback");
          assertEquals(0, rule.cooldown());
          assertEquals(0.0, rule.minLr());
        }
      }
    }
  }

  @Test
  void seed003DecaySchemesGiveTheArticlesRates() throws IOException {
    JsonNode doc = file("seed003-decay");
    Schedules.Run run = new Schedules.Run(25 * 13, 13, 0.001);
    double linear = 0.001; // l_lr, decremented before each epoch's rate is returned
    double time = 0.001; // td_lr, multiplied at each epoch
    for (int epoch = 0; epoch < 25; epoch++) {
      linear -= 0.00001;
      time *= 1 / (1 + 0.0000015 * epoch);
      double step = 0.001 * Math.pow(0.5, Math.floor((1.0 + epoch) / 15));
      double exponential = 0.001 * Math.exp(-0.1 * epoch);
      for (JsonNode r : doc.get("runs")) {
        double rate = Schedules.parse(r.get("schedule").asText(), run)
            .learningRate(epoch * 13L + 5, epoch);
        double expected = switch (r.get("label").asText()) {
          case "linear" -> Math.max(linear, 0);
          case "time" -> time;
          case "step" -> step;
          case "exponential" -> exponential;
          default -> 0.001;
        };
        // The article's globals accumulate in a different order: 1e-12 relative.
        assertEquals(expected, rate, 1e-12 * expected, r.get("label") + " at epoch " + epoch);
      }
    }
  }

  @Test
  void seed004DecayEndsWhereTheArticleSays() throws IOException {
    JsonNode doc = file("seed004-decay");
    // 200 epochs of 16 updates (500 rows in batches of 32, the last of 20).
    Schedules.Run run = new Schedules.Run(200 * 16, 16, 0.01);
    String base = doc.get("train").get("schedule").asText().replace("constant", "time");
    double[] finals = new double[4];
    int i = 0;
    for (JsonNode decay : doc.get("vary").get("values")) {
      Schedule schedule = Schedules.parse(base + ",decay=" + decay.asDouble(), run);
      finals[i++] = schedule.learningRate(3199, 199);
    }
    assertEquals(3.1e-5, finals[0], 0.05e-5, "decay 0.1: about 3.1e-05 (the article)");
    assertEquals(0.0075, finals[3], 0.0001, "decay 1e-4: about 0.0075 (the article)");
  }
}
