package dev.lrfinder.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lrfinder.LiveKeras;
import dev.lrfinder.TestPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ReduceLROnPlateau and EarlyStopping against Keras 3 itself, run live with the venv
 * ({@code tools/fixtures/keras_callbacks.py}): the same settings (one map gives both the Java spec
 * and Keras's arguments) over the same logs, epoch by epoch; the rate after each epoch (Keras's
 * float32 variable; the Java side stores each decision as float32 too) and the stopping epoch must
 * be equal, bit for bit (same machine, same arithmetic). Also checks WarmupCosine against Keras's
 * CosineDecay, TimeDecay against tf_keras's legacy SGD decay, and the metric-direction table of
 * EarlyStopping's auto mode against the metrics' own {@code _direction}. Skipped without a venv.
 */
class KerasCallbacksLiveTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int EPOCHS = 40;
  private static final List<Case> CASES = new ArrayList<>();
  private static JsonNode result;

  /** One callback run: its kind, settings, starting rate and logs. */
  record Case(String name, String kind, Map<String, Object> args, double lr,
      List<Map<String, Double>> logs) {}

  /** A loss-like sequence: decays, noisy, with flat stretches; float32 values, as fit logs them. */
  private static List<Map<String, Double>> lossLogs(long seed, String key, double noise) {
    Random random = new Random(seed);
    List<Map<String, Double>> logs = new ArrayList<>();
    double value = 1.0;
    for (int epoch = 0; epoch < EPOCHS; epoch++) {
      if (random.nextDouble() < 0.6) {
        value *= 0.9 + 0.15 * random.nextDouble();
      }
      double logged = (float) (value + noise * random.nextGaussian());
      logs.add(Map.of(key, logged, "loss", (double) (float) value));
    }
    return logs;
  }

  private static List<Map<String, Double>> accuracyLogs(long seed) {
    Random random = new Random(seed);
    List<Map<String, Double>> logs = new ArrayList<>();
    for (int epoch = 0; epoch < EPOCHS; epoch++) {
      double acc = 0.5 + 0.4 * (1 - Math.exp(-0.15 * epoch)) + 0.02 * random.nextGaussian();
      // accuracies of a 250-sample validation set: multiples of 1/250
      logs.add(Map.of("val_accuracy", (double) (float) (Math.round(acc * 250) / 250.0),
          "val_loss", (double) (float) (1 - acc)));
    }
    return logs;
  }

  private static List<Map<String, Double>> flatLogs() {
    List<Map<String, Double>> logs = new ArrayList<>();
    for (int epoch = 0; epoch < 12; epoch++) {
      logs.add(Map.of("val_loss", epoch < 2 ? 1.0 - 0.1 * epoch : 0.9));
    }
    return logs;
  }

  /** Some epochs lack the monitor (Keras warns and skips them). */
  private static List<Map<String, Double>> gappyLogs() {
    List<Map<String, Double>> logs = new ArrayList<>();
    List<Map<String, Double>> base = lossLogs(7, "val_loss", 0.01);
    for (int epoch = 0; epoch < base.size(); epoch++) {
      logs.add(epoch % 3 == 1 ? Map.of("loss", base.get(epoch).get("loss")) : base.get(epoch));
    }
    return logs;
  }

  /** Differences below float32's resolution, raw doubles: Keras's ops compare in float32. */
  private static List<Map<String, Double>> tieLogs() {
    double[] values = {0.5, 0.49999999, 0.4999999, 0.49999993, 0.49999992, 0.4999998};
    List<Map<String, Double>> logs = new ArrayList<>();
    for (double v : values) {
      logs.add(Map.of("loss", v));
    }
    return logs;
  }

  private static Map<String, Object> args(Object... pairs) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      map.put((String) pairs[i], pairs[i + 1]);
    }
    return map;
  }

  private static void add(String name, String kind, double lr, List<Map<String, Double>> logs,
      Object... pairs) {
    CASES.add(new Case(name, kind, args(pairs), lr, logs));
  }

  @BeforeAll
  static void runKeras() throws IOException {
    assumeTrue(LiveKeras.python().isPresent(), "no .venv: no live Keras reference");
    List<Map<String, Double>> a = lossLogs(1, "val_loss", 0.02);
    List<Map<String, Double>> d = lossLogs(4, "val_loss", 0.05);
    List<Map<String, Double>> c = accuracyLogs(3);
    add("p_patience2", "plateau", 0.1, a, "patience", 2, "factor", 0.5);
    add("p_cooldown", "plateau", 0.1, a, "patience", 3, "cooldown", 2, "min_delta", 1e-3);
    add("p_min_lr", "plateau", 0.1, flatLogs(), "patience", 1, "factor", 0.1, "min_lr", 1e-4);
    add("p_min_lr_odd", "plateau", 0.3, flatLogs(), "patience", 1, "factor", 0.3, "min_lr", 0.01);
    add("p_auto_acc", "plateau", 0.05, c, "monitor", "val_accuracy", "patience", 2, "factor", 0.2);
    add("p_min_on_acc", "plateau", 0.05, c, "monitor", "val_accuracy", "mode", "min",
        "patience", 1);
    add("p_max", "plateau", 0.05, c, "monitor", "val_accuracy", "mode", "max", "patience", 3,
        "min_delta", 0.01, "cooldown", 1);
    add("p_patience0", "plateau", 0.1, a, "patience", 0, "factor", 0.5, "min_lr", 0.01);
    add("p_seed004", "plateau", 0.01, d, "patience", 2, "factor", 0.1, "min_delta", 1e-7);
    add("p_noisy", "plateau", 0.01, d, "patience", 5, "cooldown", 3, "min_delta", 0.01,
        "factor", 0.5);
    add("p_gaps", "plateau", 0.1, gappyLogs(), "patience", 1, "factor", 0.5);
    add("p_train_loss", "plateau", 0.1, a, "monitor", "loss", "patience", 1, "factor", 0.7,
        "min_delta", 0.0);
    add("e_patience3", "early_stopping", 0.1, a, "patience", 3);
    add("e_min_delta", "early_stopping", 0.1, a, "patience", 2, "min_delta", 0.01);
    add("e_baseline", "early_stopping", 0.1, a, "patience", 4, "baseline", 0.6);
    add("e_start", "early_stopping", 0.1, a, "patience", 1, "start_from_epoch", 5);
    add("e_auto_acc", "early_stopping", 0.1, c, "monitor", "val_accuracy", "patience", 2);
    add("e_restore", "early_stopping", 0.1, d, "patience", 3, "restore_best_weights", true);
    add("e_restore_acc", "early_stopping", 0.1, c, "monitor", "val_accuracy", "patience", 4,
        "restore_best_weights", true, "min_delta", 0.004);
    add("e_patience0", "early_stopping", 0.1, a, "patience", 0);
    add("e_float32", "early_stopping", 0.1, tieLogs(), "monitor", "loss", "patience", 1,
        "mode", "min");
    add("e_max_baseline", "early_stopping", 0.1, c, "monitor", "val_accuracy", "mode", "max",
        "min_delta", 0.005, "baseline", 0.7, "patience", 3);
    add("e_gaps", "early_stopping", 0.1, gappyLogs(), "patience", 2);
    add("e_restore_baseline", "early_stopping", 0.1, d, "patience", 3, "baseline", 0.2,
        "restore_best_weights", true);

    Map<String, Object> input = new LinkedHashMap<>();
    input.put("cases", CASES);
    input.put("schedules", Map.of(
        "cosine", Map.of("start", 1e-4, "peak", 0.01, "warmup", 30, "total", 330, "alpha", 0.05,
            "steps", List.of(0, 1, 15, 29, 30, 31, 100, 180, 329, 330, 400)),
        "legacy_decay", Map.of("lr", 0.01, "decay", 1e-3, "steps", List.of(0, 1, 17, 500, 3199))));
    Path in = TestPaths.root().resolve("target/keras-live/callbacks-input.json");
    Files.createDirectories(in.getParent());
    JSON.writeValue(in.toFile(), input);
    Path out = LiveKeras.generate("callbacks", "keras_callbacks.py", in.toString()).orElseThrow();
    result = JSON.readTree(out.resolve("callbacks.json").toFile());
  }

  private static String spec(Case c) {
    return c.kind() + ":" + c.args().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(","));
  }

  @Test
  void everyCaseDecidesAsKerasDoes() {
    int reductions = 0;
    int stops = 0;
    for (int i = 0; i < CASES.size(); i++) {
      Case c = CASES.get(i);
      JsonNode keras = result.get("cases").get(i);
      assertEquals(c.name(), keras.get("name").asText());
      EpochRule rule = c.kind().equals("plateau") ? EpochRules.parsePlateau(spec(c))
          : EpochRules.parseEarlyStopping(spec(c));
      EpochRule.Tracker tracker = rule.start();
      List<Double> rates = new ArrayList<>();
      int stopped = -1;
      double rate = (float) c.lr();
      for (int epoch = 0; epoch < c.logs().size(); epoch++) {
        EpochDecision decision = tracker.onEpochEnd(epoch, new HashMap<>(c.logs().get(epoch)),
            rate);
        if (decision.learningRate() != rate) {
          reductions++;
        }
        rate = (float) decision.learningRate(); // the optimizer's float32 variable
        rates.add(rate);
        if (decision.stop()) {
          stopped = epoch;
          stops++;
          break;
        }
      }
      List<Double> expected = new ArrayList<>();
      keras.get("rates").forEach(v -> expected.add(v.asDouble()));
      assertEquals(expected, rates, c.name() + " (" + spec(c) + "): rate after each epoch");
      assertEquals(keras.get("stopped").asInt(), stopped, c.name() + ": stopping epoch");
      if (Boolean.TRUE.equals(c.args().get("restore_best_weights"))) {
        assertEquals(OptionalInt.of(keras.get("best_epoch").asInt()), tracker.bestEpoch(),
            c.name() + ": the epoch whose weights are restored");
      }
    }
    // The sequences exercise the rules: rates change and runs stop, not just "nothing happened".
    assertTrue(reductions >= 20, "rate changes over all plateau cases: " + reductions);
    assertTrue(stops >= 7, "early stops over all cases: " + stops);
    assertEquals((double) (float) 1e-4, lastRate("p_min_lr"), "min_lr reached and held");
  }

  private static double lastRate(String name) {
    for (JsonNode c : result.get("cases")) {
      if (c.get("name").asText().equals(name)) {
        JsonNode rates = c.get("rates");
        return rates.get(rates.size() - 1).asDouble();
      }
    }
    throw new AssertionError(name);
  }

  @Test
  void warmupCosineMatchesKerasCosineDecay() {
    WarmupCosine schedule = new WarmupCosine(0.01, 30, 330, 1e-4, 0.05);
    JsonNode keras = result.get("schedules").get("cosine");
    long[] steps = {0, 1, 15, 29, 30, 31, 100, 180, 329, 330, 400};
    for (int i = 0; i < steps.length; i++) {
      double expected = keras.get(i).asDouble();
      // Keras computes in float32: a few roundings of 6e-8 relative each.
      assertEquals(expected, schedule.learningRate(steps[i], 0), Math.abs(expected) * 1e-6,
          "step " + steps[i]);
    }
  }

  @Test
  void timeDecayMatchesLegacySgdDecay() {
    TimeDecay schedule = new TimeDecay(0.01, 1e-3);
    JsonNode keras = result.get("schedules").get("legacy_decay");
    long[] steps = {0, 1, 17, 500, 3199};
    for (int i = 0; i < steps.length; i++) {
      double expected = keras.get(i).asDouble();
      assertEquals(expected, schedule.learningRate(steps[i], 0), Math.abs(expected) * 1e-6,
          "iteration " + steps[i]); // float32 in tf_keras, as above
    }
  }

  @Test
  void autoDirectionsAreKerasMetricDirections() {
    Map<String, String> keras = new TreeMap<>();
    result.get("directions").fields().forEachRemaining(e -> keras.put(e.getKey(),
        e.getValue().asText()));
    Map<String, String> java = new TreeMap<>();
    EarlyStopping.UP.forEach(name -> java.put(name, "up"));
    EarlyStopping.DOWN.stream().filter(name -> !name.equals("loss"))
        .forEach(name -> java.put(name, "down"));
    assertEquals(keras, java, "Keras " + result.get("keras").asText());
  }
}
