package dev.lrfinder.direct;

import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * An integer or boolean tensor of rank 0 or 1 whose value is known while the graph is built (a
 * loop counter, a sequence length read from a static shape). An element may be unknown
 * ({@code null}), as the batch dimension of a shape is.
 */
record StaticInts(List<Long> values, boolean scalar) {
  StaticInts {
    values = Collections.unmodifiableList(new java.util.ArrayList<>(values));
    if (scalar && values.size() != 1) {
      throw new IllegalArgumentException("a scalar has one value, not " + values.size());
    }
  }

  static StaticInts scalar(Long value) {
    return new StaticInts(java.util.Arrays.asList(value), true);
  }

  /** The value of a scalar whose value is known. */
  Optional<Long> known() {
    return scalar ? Optional.ofNullable(values.get(0)) : Optional.empty();
  }
}
