package dev.lrfinder.direct;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lrfinder.TestPaths;
import dev.lrfinder.data.Batches;
import dev.lrfinder.data.Dataset;
import dev.lrfinder.model.TrainingPath;
import dev.lrfinder.runtime.SessionModelChecks;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The direct path's step at a rate: one session run that feeds the rate to the update and
 * assigns it, equal bit for bit to assigning it and then training; atomic across threads.
 */
class DirectFusedStepTest {
  private static final DirectOptions OPTIONS =
      new DirectOptions(Optional.empty(), List.of("sgd", "adam"));

  private static Batches batches(DirectModel model) {
    return new Batches(model.conform(Dataset.load(TestPaths.model("keras2/blobs_mlp.npz"), "train",
        "label")), 32, true, 5);
  }

  @Test
  void oneRunAtARateEqualsSettingTheRateThenTraining() {
    try (DirectModel fused = DirectModel.load(TestPaths.model("keras2/blobs_mlp"), OPTIONS);
        DirectModel split = DirectModel.load(TestPaths.model("keras2/blobs_mlp"), OPTIONS)) {
      assertEquals(TrainingPath.Kind.DIRECT, fused.trainingPath().kind());
      Batches batches = batches(fused);
      SessionModelChecks.assertFusedStepEqualsTwoCalls(fused, split, "adam", batches, 20);
      SessionModelChecks.assertFusedStepEqualsTwoCalls(fused, split, "sgd", batches, 10);
    }
  }

  @Test
  void threadsOnOneInstanceNeverSplitAStep() throws Exception {
    try (DirectModel model = DirectModel.load(TestPaths.model("keras2/blobs_mlp"), OPTIONS)) {
      SessionModelChecks.assertCallsAreAtomicAcrossThreads(model, "sgd", batches(model), 150, 3);
    }
  }
}
