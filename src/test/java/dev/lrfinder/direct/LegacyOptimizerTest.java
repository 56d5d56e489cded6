package dev.lrfinder.direct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lrfinder.TestPaths;
import dev.lrfinder.model.OptimizerInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A Keras 2 SavedModel compiled with tf_keras's legacy {@code RMSprop(learning_rate=0.002,
 * decay=1e-6, rho=0.8)} (tools/fixtures/build_keras2_examples.py, {@code mlp_legacy_rmsprop}): the
 * direct path keeps that RMSprop, with the legacy update, and says in one note that the decay is
 * not applied.
 */
class LegacyOptimizerTest {
  @Test
  void theCompiledLegacyRmspropIsKeptAndItsDecayNamedInOneNote() {
    try (DirectModel model = DirectModel.load(
        TestPaths.fixture("keras2").resolve("mlp_legacy_rmsprop"), DirectOptions.defaults())) {
      assertEquals(List.of("rmsprop", "sgd", "adam"), model.optimizers(),
          "the compiled optimizer first, then the defaults");
      OptimizerInfo rmsprop = model.contract().optimizers().get(0);
      assertEquals("RMSprop", rmsprop.className());
      assertEquals((float) 0.002, (float) rmsprop.initialLearningRate());
      assertEquals((float) 0.002, (float) model.learningRate("rmsprop"));
      assertEquals((float) 0.8, ((Number) rmsprop.config().get("rho")).floatValue());
      assertEquals(Boolean.TRUE, rmsprop.config().get("legacy"));
      List<String> decay = model.warnings().stream().filter(w -> w.contains("decay")).toList();
      assertEquals(List.of("the compiled RMSprop's decay=1e-06 (legacy time decay, lr / (1 +"
          + " decay * iterations)) is not applied: lrfinder sets the learning rate at every step"
          + " of the range test; its other settings are kept"), decay);
      assertTrue(model.warnings().stream().noneMatch(w -> w.contains("not one lrfinder can build")),
          model.warnings().toString());
    }
  }
}
