package dev.lrfinder.model;

import dev.lrfinder.data.HostArray;
import java.nio.file.Path;
import java.util.List;

/**
 * Every variable of a model (weights, normalization statistics, optimizer slots and iteration
 * counters, learning rates, RNG state) at one moment, to be given back to
 * {@link TrainableModel#restore}.
 */
public interface ModelSnapshot {

  /** Values held in Java memory, in the order of the model's variable list. */
  record InMemory(List<String> variableNames, List<HostArray> values) implements ModelSnapshot {
    public InMemory {
      variableNames = List.copyOf(variableNames);
      values = List.copyOf(values);
    }

    public long byteSize() {
      return values.stream().mapToLong(HostArray::byteSize).sum();
    }
  }

  /**
   * A checkpoint under {@code prefix} of exactly the variables an in-memory snapshot holds,
   * written by the model itself (its {@code dev.lrfinder.runtime.VariableStore}).
   */
  record OnDisk(Path prefix) implements ModelSnapshot {}
}
