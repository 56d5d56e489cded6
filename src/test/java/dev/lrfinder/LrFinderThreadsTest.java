package dev.lrfinder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lrfinder.data.Dataset;
import dev.lrfinder.rangetest.OptimizerCurve;
import dev.lrfinder.rangetest.RangeTestConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A service runs several range tests at once, one LrFinder (one model) per thread: the curves
 * are the ones the same runs give one after another, bit for bit (same machine, same process).
 */
class LrFinderThreadsTest {
  private static final int THREADS = 4;

  /** Each thread its own seed, so that a mix-up between threads would show. */
  private static RangeTestConfig config(int thread) {
    return RangeTestConfig.builder().batchSize(32).steps(80).seed(thread).build();
  }

  private static FinderResult run(int thread, CyclicBarrier start) throws Exception {
    try (LrFinder finder = LrFinder.open(TestPaths.model("blobs_mlp"))) {
      Dataset train = finder.loadData(TestPaths.data("blobs_mlp"));
      if (start != null) {
        start.await(120, TimeUnit.SECONDS); // every thread steps at the same time
      }
      return finder.rangeTest(train, config(thread));
    }
  }

  @Test
  void fourThreadsWithTheirOwnModelsGiveTheSequentialResults() throws Exception {
    List<FinderResult> sequential = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      sequential.add(run(t, null));
    }
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    List<FinderResult> concurrent = new ArrayList<>();
    try {
      CyclicBarrier start = new CyclicBarrier(THREADS);
      List<Future<FinderResult>> futures = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        futures.add(pool.submit(() -> run(thread, start)));
      }
      for (Future<FinderResult> future : futures) {
        concurrent.add(future.get(300, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
      assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS));
    }
    for (int t = 0; t < THREADS; t++) {
      FinderResult alone = sequential.get(t);
      FinderResult together = concurrent.get(t);
      assertEquals(alone.curves().size(), together.curves().size());
      for (OptimizerCurve curve : alone.curves()) {
        OptimizerCurve other = together.curve(curve.optimizer());
        assertEquals(curve.learningRates(), other.learningRates());
        assertEquals(curve.losses(), other.losses(), "thread " + t + " " + curve.optimizer());
        assertEquals(curve.smoothedLosses(), other.smoothedLosses());
        assertEquals(curve.stopReason(), other.stopReason());
      }
      assertEquals(alone.suggestions(), together.suggestions());
    }
    String first = sequential.get(0).curves().get(0).optimizer();
    assertNotEquals(sequential.get(0).curve(first).losses(),
        sequential.get(1).curve(first).losses(), "the seeds give different batches");
  }
}
