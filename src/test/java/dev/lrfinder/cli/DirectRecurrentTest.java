package dev.lrfinder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lrfinder.LiveKeras;
import dev.lrfinder.data.Batch;
import dev.lrfinder.direct.DirectModel;
import dev.lrfinder.direct.DirectOptions;
import dev.lrfinder.direct.UnsupportedModelException;
import dev.lrfinder.model.StepResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recurrent Keras 2 SavedModels (LSTM, GRU, SimpleRNN, Bidirectional, stacked, masked) trained on
 * the direct path, which unrolls their loops, against tf_keras's own numbers computed live by
 * tools/fixtures/make_direct_rnn_fixtures.py on the same first batch and saved weights. Skipped
 * without a venv: there is no committed reference.
 */
class DirectRecurrentTest {
  /**
   * Relative tolerance against tf_keras. The unrolled graph runs the same float32 kernels as
   * Keras's loop, step by step in the same order, but Keras's gradient of the loop sums the
   * per-step gradients of the kernels in a different order (the loop's accumulators against our
   * add_n of the unrolled copies) and Grappler may fuse the loop body's ops differently, so a
   * few float32 ulps per step over 5 to 7 steps can separate them (about 1e-7 each; measured:
   * see docs/direct.md). 1e-5 leaves room for that and is far below any wrong construction: one
   * step too many or too few, a state not carried or a wrong gate moves the loss by 1e-3 or more.
   */
  private static final double TOLERANCE = 1e-5;
  private static Optional<Path> out;

  @BeforeAll
  static void generate() {
    out = LiveKeras.generate("direct_rnn", "make_direct_rnn_fixtures.py");
  }

  @BeforeEach
  void needsReference() {
    assumeTrue(out.isPresent(), "no .venv: no live tf_keras reference for these models");
  }

  private static KerasReference keras() {
    return new KerasReference(out.get(), "direct rnn", TOLERANCE);
  }

  @Test
  void lstm() throws IOException {
    keras().assertMatchesKeras("lstm", List.of());
  }

  @Test
  void gruReturningSequencesIntoPooling() throws IOException {
    keras().assertMatchesKeras("gru_sequences", List.of());
  }

  @Test
  void gruReturningSequencesIntoTimeDistributed() throws IOException {
    keras().assertMatchesKeras("gru_time_distributed", List.of());
  }

  @Test
  void simpleRnn() throws IOException {
    keras().assertMatchesKeras("simple_rnn", List.of());
  }

  @Test
  void bidirectionalLstm() throws IOException {
    keras().assertMatchesKeras("bilstm", List.of());
  }

  @Test
  void stackedLstms() throws IOException {
    keras().assertMatchesKeras("stacked_lstm", List.of());
  }

  @Test
  void maskedTextLstm() throws IOException {
    keras().assertMatchesKeras("masked_text", List.of());
  }

  @Test
  void embeddingConvolutionAndStackedLstms() throws IOException {
    keras().assertMatchesKeras("conv_lstm", List.of());
  }

  @Test
  void bidirectionalGruReturningSequences() throws IOException {
    keras().assertMatchesKeras("bigru_sequences", List.of());
  }

  /**
   * The SavedModel's call function of a Masking + GRU model runs the GRU without the mask (its
   * loss differed from Keras's by 27%), so such a model is refused rather than trained wrong.
   */
  @Test
  void aMaskingLayerIsRefusedInOneLine() {
    Path model = out.get().resolve("masked_gru");
    String error = MainTest.badInput(List.of(model), "find", model.toString(), "--data",
        out.get().resolve("masked_gru.npz").toString(), "--steps", "5");
    assertTrue(error.contains("Masking layer") && error.contains("export"), error);
  }

  /** tf_keras's crossentropies take the logits of a softmax or sigmoid output, whichever. */
  @Test
  void crossentropiesTakeTheLogitsOfEitherActivation() throws IOException {
    keras().assertMatchesKeras("sigmoid_sparse", List.of());
    keras().assertMatchesKeras("softmax_binary", List.of());
  }

  /** Keras carries a stateful layer's states from batch to batch and never trains them. */
  @Test
  void aStatefulLstmIsRefusedInOneLine() {
    Path model = out.get().resolve("stateful_lstm");
    String error = MainTest.badInput(List.of(model), "find", model.toString(), "--data",
        out.get().resolve("stateful_lstm.npz").toString(), "--steps", "5");
    assertTrue(error.contains("stateful") && error.contains("export"), error);
  }

  @Test
  void gruWithoutResetAfter() throws IOException {
    keras().assertMatchesKeras("gru_reset_before", List.of());
  }

  @Test
  void lstmReturningItsStates() throws IOException {
    keras().assertMatchesKeras("lstm_states", List.of());
  }

  /**
   * Recurrent dropout draws in the loop body: every unrolled step's random op is keyed on its own
   * graph name, the step and the seed, so a run is reproducible while dropout is active. Its
   * masks are not Keras's, so only evaluate (no dropout) is compared with tf_keras.
   */
  @Test
  void recurrentDropoutTrainsReproducibly() throws IOException {
    JsonNode ref = keras().json("lstm_dropout");
    double[] first = new double[2];
    for (int run = 0; run < 2; run++) {
      try (DirectModel model = DirectModel.load(out.get().resolve("lstm_dropout"),
          DirectOptions.defaults())) {
        Batch batch = keras().firstBatch(model, "lstm_dropout", ref.get("batch").asInt());
        double evaluated = model.evaluate(batch).loss();
        keras().assertClose(ref.get("evaluate").get("loss").asDouble(), evaluated, "loss",
            "lstm_dropout evaluate");
        first[run] = model.trainStep("sgd", batch).loss();
        assertTrue(Double.isFinite(first[run]) && first[run] != evaluated,
            "dropout is active in training: " + first[run] + " vs " + evaluated);
      }
    }
    assertEquals(first[0], first[1], "the same seed gives the same masks");
  }

  @Test
  void aLongSequenceBuildsAndEvaluatesAsKeras() throws IOException {
    JsonNode ref = keras().json("long_lstm");
    long start = System.nanoTime();
    try (DirectModel model = DirectModel.load(out.get().resolve("long_lstm"),
        DirectOptions.defaults())) {
      double loaded = (System.nanoTime() - start) / 1e9;
      Batch batch = keras().firstBatch(model, "long_lstm", ref.get("batch").asInt());
      keras().assertClose(ref.get("evaluate").get("loss").asDouble(), model.evaluate(batch).loss(),
          "loss", "long_lstm evaluate");
      long step = System.nanoTime();
      StepResult first = model.trainStep("sgd", batch);
      double firstStep = (System.nanoTime() - step) / 1e9;
      step = System.nanoTime();
      StepResult second = model.trainStep("sgd", batch);
      System.out.printf("direct rnn: long_lstm (200 steps): loaded in %.2f s, first step %.3f s,"
          + " second %.3f s%n", loaded, firstStep, (System.nanoTime() - step) / 1e9);
      keras().assertClose(ref.get("train_on_batch").get(0).get("loss").asDouble(), first.loss(), "loss",
          "long_lstm train_on_batch 1");
      keras().assertClose(ref.get("train_on_batch").get(1).get("loss").asDouble(), second.loss(), "loss",
          "long_lstm train_on_batch 2");
    }
  }

  @Test
  void findRunsThroughTheCli(@TempDir Path dir) throws IOException {
    Path report = dir.resolve("report");
    MainTest.Run run = MainTest.run("find", out.get().resolve("bilstm").toString(), "--data",
        out.get().resolve("bilstm.npz").toString(), "--steps", "10", "--batch-size", "8",
        "--out", report.toString());
    assertEquals(0, run.exitCode(), run.err());
    JsonNode result = new ObjectMapper().readTree(report.resolve("result.json").toFile());
    assertTrue(result.get("optimizers").get(0).get("steps_run").asInt() > 0, result.toString());
  }

  @Test
  void aDynamicSequenceLengthIsRefusedInOneLine() {
    UnsupportedModelException refused = assertThrows(UnsupportedModelException.class,
        () -> DirectModel.load(out.get().resolve("dynamic_length"), DirectOptions.defaults()));
    assertTrue(refused.getMessage().contains("sequence length is not fixed"),
        refused.getMessage());
    String error = MainTest.badInput(List.of(out.get().resolve("dynamic_length")), "find",
        out.get().resolve("dynamic_length").toString(), "--data",
        out.get().resolve("dynamic_length.npz").toString(), "--steps", "5");
    assertTrue(error.contains("not fixed (None)") && error.contains("export"), error);
    String inspected = MainTest.badInput(List.of(out.get().resolve("dynamic_length")),
        "inspect", out.get().resolve("dynamic_length").toString());
    assertTrue(inspected.contains("not fixed (None)"), inspected);
  }
}
