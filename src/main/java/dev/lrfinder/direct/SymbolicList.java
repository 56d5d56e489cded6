package dev.lrfinder.direct;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.tensorflow.proto.DataType;

/**
 * A TensorList (what a {@code while_v2} loop reads its inputs from and writes its outputs to)
 * tracked while the loop is unrolled instead of built: the tensor it was made from
 * ({@code TensorListFromTensor}, elements along axis 0), or the elements set so far into a
 * reserved list ({@code TensorListReserve}, {@code TensorListSetItem}). Its ops have no C++
 * gradient; reads and stacks of it become Unpack, Identity and Pack, which have one.
 *
 * @param source the graph tensor it was made from, or null for a reserved list
 * @param reserved the number of elements reserved, when known
 * @param elements graph tensors set by index (they hide the source's elements)
 */
record SymbolicList(String source, DataType elementType, Optional<Long> reserved,
    Map<Integer, String> elements) {
  SymbolicList {
    elements = java.util.Collections.unmodifiableMap(new TreeMap<>(elements));
  }

  static SymbolicList fromTensor(String tensor, DataType elementType) {
    return new SymbolicList(tensor, elementType, Optional.empty(), Map.of());
  }

  static SymbolicList reserved(DataType elementType, Optional<Long> length) {
    return new SymbolicList(null, elementType, length, Map.of());
  }

  /** This list with element {@code index} replaced by {@code tensor}. */
  SymbolicList with(int index, String tensor) {
    if (reserved.isPresent() && index >= reserved.get()) {
      throw new UnsupportedModelException("a loop writes element " + index + " of a list of "
          + reserved.get());
    }
    Map<Integer, String> set = new TreeMap<>(elements);
    set.put(index, tensor);
    return new SymbolicList(source, elementType, reserved, set);
  }
}
