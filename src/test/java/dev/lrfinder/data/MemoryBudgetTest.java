package dev.lrfinder.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MemoryBudgetTest {
  @Test
  void sizesUseDecimalUnitsWithTwoSignificantDigits() {
    assertEquals("999 bytes", MemoryBudget.size(999));
    assertEquals("1.0 kB", MemoryBudget.size(1000));
    assertEquals("5.8 GB", MemoryBudget.size(5_800_000_000L));
    assertEquals("40 MB", MemoryBudget.size(40_200_000));
    assertEquals("9.2 EB", MemoryBudget.size(Long.MAX_VALUE));
  }

  @Test
  void requireNamesWhatNeedsTheMemoryBothSizesAndTheFix() {
    MemoryBudget budget = MemoryBudget.fixed(1_900_000_000L);

    budget.require(1_900_000_000L, "loading x");
    DataException e = assertThrows(DataException.class,
        () -> budget.require(5_800_000_000L, "loading x_train of 'big.npz'"));

    assertEquals("loading x_train of 'big.npz' needs 5.8 GB of memory; the JVM has 1.9 GB to spare:"
        + " raise its heap limit, e.g. LRFINDER_JAVA_OPTS=-Xmx11g", e.getMessage());
  }

  @Test
  void theHeapBudgetIsWhatTheJvmHasLeft() {
    long available = MemoryBudget.heap().available();

    // What is in use and the reserve (a tenth of the heap, at most 256 MiB) are not available.
    long max = Runtime.getRuntime().maxMemory();
    assertTrue(available > 0 && available <= max - Math.min(max / 10, 256L << 20), "" + available);
    assertThrows(DataException.class, () -> MemoryBudget.heap().require(Long.MAX_VALUE, "x"));
  }
}
