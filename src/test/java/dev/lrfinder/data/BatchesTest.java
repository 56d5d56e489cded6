package dev.lrfinder.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BatchesTest {
  private static final int ROWS = 103;
  private static final int BATCH = 10;

  /** Rows whose features are [i, -i] and whose label is i, so a batch shows which rows it holds. */
  private static Dataset indexed(int rows) {
    float[] x = new float[rows * 2];
    int[] y = new int[rows];
    for (int i = 0; i < rows; i++) {
      x[2 * i] = i;
      x[2 * i + 1] = -i;
      y[i] = i;
    }
    return new Dataset(HostArray.ofFloats(new long[] {rows, 2}, x), HostArray.ofInts(new long[] {rows}, y));
  }

  private static Batches batches(boolean shuffle, long seed) {
    return new Batches(indexed(ROWS), BATCH, shuffle, seed);
  }

  /** The documented order, written out independently: Fisher-Yates with new Random(seed + epoch). */
  private static int[] fisherYates(int n, long seed) {
    int[] order = IntStream.range(0, n).toArray();
    Random random = new Random(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int tmp = order[i];
      order[i] = order[j];
      order[j] = tmp;
    }
    return order;
  }

  private static int[] epochRows(Batches batches, int epoch) {
    int steps = Math.toIntExact(batches.stepsPerEpoch());
    return IntStream.range(0, steps)
        .flatMap(s -> Arrays.stream(batches.rowsOf((long) epoch * steps + s)))
        .toArray();
  }

  @Test
  void stepsPerEpochDropsTheIncompleteLastBatch() {
    Batches batches = batches(true, 1);

    assertEquals(10, batches.stepsPerEpoch());
    assertEquals(BATCH, batches.batchSize());
    assertEquals(BATCH, batches.rowsOf(9).length);
  }

  @Test
  void sameSeedGivesIdenticalRowsForManySteps() {
    Batches a = batches(true, 42);
    Batches b = batches(true, 42);

    for (long step = 0; step < 35; step++) {
      assertArrayEquals(a.rowsOf(step), b.rowsOf(step), "step " + step);
    }
  }

  @Test
  void differentSeedsGiveDifferentOrders() {
    assertFalse(Arrays.equals(epochRows(batches(true, 1), 0), epochRows(batches(true, 2), 0)));
    assertFalse(Arrays.equals(batches(true, 1).rowsOf(0), batches(true, 2).rowsOf(0)));
  }

  @Test
  void eachEpochVisitsDistinctRowsAndOnlyDropsTheTail() {
    Batches batches = batches(true, 7);

    for (int epoch = 0; epoch < 3; epoch++) {
      int[] rows = epochRows(batches, epoch);
      Set<Integer> unique = new HashSet<>();
      for (int row : rows) {
        assertTrue(row >= 0 && row < ROWS, "row " + row);
        assertTrue(unique.add(row), "row " + row + " twice in epoch " + epoch);
      }
      assertEquals(100, unique.size());
    }
  }

  @Test
  void epochsFollowFisherYatesSeededWithSeedPlusEpoch() {
    Batches batches = batches(true, 7);

    assertArrayEquals(Arrays.copyOf(fisherYates(ROWS, 7), 100), epochRows(batches, 0));
    assertArrayEquals(Arrays.copyOf(fisherYates(ROWS, 8), 100), epochRows(batches, 1));
    assertArrayEquals(Arrays.copyOf(fisherYates(ROWS, 12), 100), epochRows(batches, 5));
  }

  @Test
  void laterEpochsAreShuffledDifferently() {
    Batches batches = batches(true, 7);

    assertFalse(Arrays.equals(epochRows(batches, 0), epochRows(batches, 1)));
    assertFalse(Arrays.equals(batches.rowsOf(0), batches.rowsOf(10)));
  }

  @Test
  void revisitingAnEarlierEpochGivesTheSameRows() {
    Batches batches = batches(true, 3);
    int[] first = batches.rowsOf(4);

    batches.rowsOf(25);

    assertArrayEquals(first, batches.rowsOf(4));
  }

  @Test
  void withoutShuffleBatchesFollowFileOrderEveryEpoch() {
    Batches batches = batches(false, 99);

    assertArrayEquals(IntStream.range(0, 10).toArray(), batches.rowsOf(0));
    assertArrayEquals(IntStream.range(10, 20).toArray(), batches.rowsOf(1));
    assertArrayEquals(IntStream.range(90, 100).toArray(), batches.rowsOf(9));
    assertArrayEquals(IntStream.range(0, 10).toArray(), batches.rowsOf(10));
  }

  @Test
  void getGathersTheFeaturesAndLabelsOfRowsOf() {
    Batches batches = batches(true, 5);
    int[] rows = batches.rowsOf(13);

    Batch batch = batches.get(13);

    assertEquals(BATCH, batch.size());
    assertArrayEquals(new long[] {BATCH, 2}, batch.x().shape());
    assertArrayEquals(new long[] {BATCH}, batch.y().shape());
    for (int i = 0; i < BATCH; i++) {
      assertEquals(rows[i], batch.x().getDouble(2L * i));
      assertEquals(-rows[i], batch.x().getDouble(2L * i + 1));
      assertEquals(rows[i], batch.y().getDouble(i));
    }
  }

  @Test
  void batchSizeEqualToTheRowCountGivesOneStepPerEpoch() {
    Batches batches = new Batches(indexed(8), 8, true, 0);

    assertEquals(1, batches.stepsPerEpoch());
    assertEquals(Set.of(0, 1, 2, 3, 4, 5, 6, 7),
        new HashSet<>(Arrays.asList(Arrays.stream(batches.rowsOf(3)).boxed().toArray(Integer[]::new))));
  }

  @Test
  void batchSizeLargerThanTheDataIsRejected() {
    DataException e = assertThrows(DataException.class, () -> new Batches(indexed(5), 6, true, 0));

    assertEquals("the data has 5 rows, fewer than the batch size 6", e.getMessage());
  }

  @Test
  void nonPositiveBatchSizeIsRejected() {
    DataException e = assertThrows(DataException.class, () -> new Batches(indexed(5), 0, true, 0));

    assertEquals("batch size must be positive, got 0", e.getMessage());
  }
}
