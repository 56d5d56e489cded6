package dev.lrfinder.optim;

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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;

/**
 * Replays each tf_keras trajectory (tools/fixtures/make_optimizer_fixtures.py) in a graph: same initial
 * values, gradients and per-step learning rates. Against Keras run live on this machine (with the
 * venv; {@link LiveKeras}) and under {@link ExactSessionConfig}, every value after every step must
 * equal eager Keras's bit for bit. Against the committed files, made on another CPU (their
 * {@code made_on} says which), and under TensorFlow's default session config (Grappler rewrites
 * on), to {@value #TOLERANCE} relative to the largest magnitude in that variable: fixed gradients
 * and elementwise float32 math, where kernels differ by an ulp or two (rsqrt, pow) per step.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KerasFixturesTest {
  private static final double TOLERANCE = 1e-6;

  enum Mode { EXACT, DEFAULT }

  /** Where the Keras numbers come from: a run on this machine, or the committed files. */
  enum Source { LIVE, COMMITTED }

  private Optional<Path> live;

  @BeforeAll
  void computeLiveReference() {
    live = LiveKeras.generate("optimizers", "make_optimizer_fixtures.py");
  }

  static Stream<String> fixtures() throws IOException {
    Path dir = TestPaths.fixture("optimizers");
    List<String> files = new ArrayList<>();
    try (Stream<Path> list = Files.list(dir)) {
      list.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).sorted()
          .forEach(files::add);
    }
    assertTrue(files.size() >= 9, "expected the optimizer fixtures in " + dir);
    return files.stream();
  }

  static Stream<Arguments> cases() throws IOException {
    return fixtures().flatMap(f -> Stream.of(Source.values()).flatMap(
        s -> Stream.of(Mode.values()).map(m -> Arguments.of(f, s, m))));
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("cases")
  @SuppressWarnings("unchecked")
  void matchesKeras(String file, Source source, Mode mode) throws IOException {
    if (source == Source.LIVE) {
      assumeTrue(live.isPresent(), "no .venv: no live Keras reference");
    }
    Path dir = source == Source.LIVE ? live.get() : TestPaths.fixture("optimizers");
    ObjectMapper mapper = new ObjectMapper();
    JsonNode fixture = mapper.readTree(dir.resolve(file).toFile());
    OptimizerConfig config = OptimizerConfig.fromKeras(
        mapper.convertValue(fixture.get("optimizer"), Map.class));
    try (Graph graph = new Graph(); Session session = mode == Mode.EXACT
        ? new Session(graph, ExactSessionConfig.create()) : new Session(graph)) {
      Ops tf = Ops.create(graph);
      ModelVariables model = new ModelVariables();
      for (JsonNode v : fixture.get("variables")) {
        model.add(tf, v.get("name").asText(), longs(v.get("shape")), floats(v.get("initial")));
      }
      GraphOptimizer optimizer = GraphOptimizer.create(tf, "opt", config, model.trainables);
      model.initialize(session);
      optimizer.initialize(session);
      assertEquals((float) config.learningRate(), optimizer.learningRate(session));

      JsonNode rates = fixture.get("learning_rates");
      double maxAbs = 0;
      double maxRel = 0;
      for (int step = 0; step < rates.size(); step++) {
        optimizer.setLearningRate(session, rates.get(step).asDouble());
        assertEquals((float) rates.get(step).asDouble(), optimizer.learningRate(session));
        List<float[]> grads = new ArrayList<>();
        fixture.get("gradients").get(step).forEach(g -> grads.add(floats(g)));
        model.run(session, optimizer.step(), grads);
        List<float[]> actual = model.values(session);
        JsonNode expected = fixture.get("trajectory").get(step);
        for (int v = 0; v < actual.size(); v++) {
          float[] want = floats(expected.get(v));
          double scale = 0;
          for (float w : want) {
            scale = Math.max(scale, Math.abs(w));
          }
          for (int k = 0; k < want.length; k++) {
            double abs = Math.abs((double) actual.get(v)[k] - want[k]);
            maxAbs = Math.max(maxAbs, abs);
            maxRel = Math.max(maxRel, abs == 0 ? 0 : abs / Math.abs(want[k]));
            double allowed = mode == Mode.EXACT && source == Source.LIVE ? 0 : TOLERANCE * scale;
            assertTrue(abs <= allowed, String.format(
                "%s %s %s step %d var %d[%d]: java %s keras %s", file, source, mode, step + 1, v,
                k, actual.get(v)[k], want[k]));
          }
        }
      }
      assertEquals(rates.size(), optimizer.iterations(session));
      System.out.printf("optimizer fixture %-32s %-9s %-7s max abs diff %.3g, max rel diff %.3g%n",
          file, source, mode, maxAbs, maxRel);
    }
  }

  private static long[] longs(JsonNode node) {
    long[] out = new long[node.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = node.get(i).asLong();
    }
    return out;
  }

  private static float[] floats(JsonNode node) {
    float[] out = new float[node.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) node.get(i).asDouble();
    }
    return out;
  }
}
