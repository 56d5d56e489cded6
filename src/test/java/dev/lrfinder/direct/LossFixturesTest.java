package dev.lrfinder.direct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lrfinder.LiveKeras;
import dev.lrfinder.TestPaths;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TUint8;
import org.tensorflow.types.family.TNumber;

/**
 * Replays src/test/resources/fixtures/losses.json (tools/fixtures/make_loss_fixtures.py): each case's
 * batch goes through the same activation op and two Identity ops (an inlined function's output
 * boundary), and the loss and metrics built from the case's training_config entries must give
 * tf_keras's numbers to 1e-6 relative: those of the committed file (made on another CPU, one
 * forward pass whose exp and log may differ by an ulp or two; 1e-6 is about 8 float32 ulps) and,
 * with the venv, those of a live run on this machine ({@link LiveKeras}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LossFixturesTest {
  private static final double TOLERANCE = 1e-6;
  private Optional<Path> live;
  private double maxRel;

  /** Where the Keras numbers come from: a run on this machine, or the committed file. */
  enum Source { LIVE, COMMITTED }

  @BeforeAll
  void computeLiveReference() {
    live = LiveKeras.generate("losses", "make_loss_fixtures.py").map(d -> d.resolve("losses.json"));
  }

  Stream<Arguments> cases() throws IOException {
    List<Arguments> cases = new ArrayList<>();
    for (Source source : Source.values()) {
      if (source == Source.LIVE && live.isEmpty()) {
        continue;
      }
      Path file = source == Source.LIVE ? live.get() : TestPaths.fixture("losses.json");
      JsonNode root = new ObjectMapper().readTree(file.toFile());
      root.get("cases").forEach(c -> cases.add(Arguments.of(source, c.get("name").asText(), c)));
    }
    assertTrue(cases.size() >= 12);
    return cases.stream();
  }

  @AfterAll
  void report() {
    System.out.printf("loss/metric fixtures: max relative difference to tf_keras %.3g (%s)%n",
        maxRel, live.isPresent() ? "live and committed" : "committed only");
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void matchesKeras(Source source, String name, JsonNode c) {
    Map<String, Float> actual = new LinkedHashMap<>();
    float withoutShortcut;
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      long width = c.get("input_shape").get(1).asLong();
      Placeholder<TFloat32> x =
          tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, width)));
      Operand<TFloat32> activated = switch (c.get("activation").asText()) {
        case "softmax" -> tf.nn.softmax(x);
        case "sigmoid" -> tf.math.sigmoid(x);
        default -> x;
      };
      ModelOutput output = ModelOutput.of(tf.identity(tf.identity(activated)));
      assertEquals(!c.get("activation").asText().equals("linear"), output.activation() != null);
      try (TNumber labels = labels(c); TFloat32 input = floats(c.get("input"), c.get("input_shape"))) {
        long[] labelShape = longs(c.get("label_shape"));
        labelShape[0] = -1;
        Placeholder<? extends TNumber> y =
            tf.placeholder(numberType(labels), Placeholder.shape(Shape.of(labelShape)));
        KerasLoss loss = KerasLoss.fromTrainingConfig(c.get("loss"));
        assertEquals(c.get("loss").path("config").path("from_logits").asBoolean(false),
            loss.fromLogits(), "from_logits of " + c.get("loss"));
        List<KerasMetric> metrics = KerasMetric.fromTrainingConfig(c.get("metrics"));
        assertEquals(List.of(), KerasMetric.unsupported(c.get("metrics")));
        List<Operand<TFloat32>> fetches = new ArrayList<>();
        fetches.add(loss.build(tf, y, output));
        metrics.forEach(m -> fetches.add(m.build(tf, y, output)));
        fetches.add(loss.build(tf, y, new ModelOutput(output.value(), null, null)));
        Session.Runner runner = session.runner().feed(x, input).feed(y, labels);
        fetches.forEach(runner::fetch);
        try (Result result = runner.run()) {
          actual.put("loss", ((TFloat32) result.get(0)).getFloat());
          for (int i = 0; i < metrics.size(); i++) {
            actual.put(metrics.get(i).name(), ((TFloat32) result.get(i + 1)).getFloat());
          }
          withoutShortcut = ((TFloat32) result.get(fetches.size() - 1)).getFloat();
        }
      }
    }
    JsonNode expected = c.get("expected");
    assertEquals(expected.size(), actual.size(), "metric names: " + actual.keySet());
    expected.fields().forEachRemaining(e -> {
      float want = (float) e.getValue().asDouble();
      float got = actual.get(e.getKey());
      double rel = want == got ? 0 : Math.abs((double) got - want) / Math.abs(want);
      maxRel = Math.max(maxRel, rel);
      if (rel != 0) {
        System.out.printf("%s %s %s: java %s, tf_keras %s (rel %.3g)%n", source,
            c.get("name").asText(), e.getKey(), got, want, rel);
      }
      assertTrue(rel <= TOLERANCE, String.format("%s %s: java %s, tf_keras %s",
          c.get("name").asText(), e.getKey(), got, want));
    });
    if (c.get("activation").asText().equals("softmax")
        || c.get("activation").asText().equals("sigmoid")) {
      // The confidently wrong row makes the clipped-probability path visibly different.
      assertNotEquals(actual.get("loss"), withoutShortcut, 1e-3f, "logits shortcut not taken");
    }
  }

  @SuppressWarnings("unchecked")
  private static Class<? extends TNumber> numberType(TNumber t) {
    return (Class<? extends TNumber>) t.type();
  }

  private static TNumber labels(JsonNode c) {
    Shape shape = Shape.of(longs(c.get("label_shape")));
    JsonNode values = c.get("labels");
    int n = values.size();
    switch (c.get("label_dtype").asText()) {
      case "int32" -> {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
          a[i] = values.get(i).asInt();
        }
        return TInt32.tensorOf(shape, DataBuffers.of(a));
      }
      case "int64" -> {
        long[] a = new long[n];
        for (int i = 0; i < n; i++) {
          a[i] = values.get(i).asLong();
        }
        return TInt64.tensorOf(shape, DataBuffers.of(a));
      }
      case "uint8" -> {
        byte[] a = new byte[n];
        for (int i = 0; i < n; i++) {
          a[i] = (byte) values.get(i).asInt();
        }
        return TUint8.tensorOf(shape, DataBuffers.of(a));
      }
      case "float32" -> {
        return floats(values, c.get("label_shape"));
      }
      default -> throw new IllegalArgumentException(c.get("label_dtype").asText());
    }
  }

  private static TFloat32 floats(JsonNode values, JsonNode shape) {
    float[] a = new float[values.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) values.get(i).asDouble();
    }
    return TFloat32.tensorOf(Shape.of(longs(shape)), DataBuffers.of(a));
  }

  private static long[] longs(JsonNode node) {
    long[] out = new long[node.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = node.get(i).asLong();
    }
    return out;
  }
}
