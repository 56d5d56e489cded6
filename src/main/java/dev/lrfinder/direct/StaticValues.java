package dev.lrfinder.direct;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.TensorProto;

/**
 * Folds the small integer computations of a graph being built (loop counters, sequence lengths,
 * list indices) into values known at build time, reading the emitted nodes: Const, Identity,
 * integer arithmetic and comparisons, Shape (from static shapes), StridedSlice of a vector, Pack
 * and Cast. Anything else is unknown.
 */
final class StaticValues {
  private final Function<String, NodeDef> nodes;
  private final StaticShapes shapes;
  private final Map<String, Optional<StaticInts>> cache = new HashMap<>();

  StaticValues(Function<String, NodeDef> nodes) {
    this.nodes = nodes;
    this.shapes = new StaticShapes(nodes);
  }

  StaticShapes shapes() {
    return shapes;
  }

  /** The value of graph tensor {@code node:index} when it is known at build time. */
  Optional<StaticInts> of(String tensor) {
    Optional<StaticInts> cached = cache.get(tensor);
    if (cached == null) {
      cached = evaluate(tensor);
      cache.put(tensor, cached);
    }
    return cached;
  }

  /** A scalar's value when it is known. */
  Optional<Long> scalar(String tensor) {
    return of(tensor).flatMap(StaticInts::known);
  }

  private Optional<StaticInts> evaluate(String tensor) {
    NodeDef node = nodes.apply(GraphTensors.node(tensor));
    if (node == null || GraphTensors.index(tensor) != 0) {
      return Optional.empty();
    }
    List<String> inputs = node.getInputList().stream().filter(i -> !i.startsWith("^")).toList();
    switch (node.getOp()) {
      case "Const":
        return constant(node.getAttrOrThrow("value").getTensor());
      case "Identity", "StopGradient", "Cast":
        return of(inputs.get(0));
      case "AddV2", "Add":
        return elementwise(inputs, Long::sum);
      case "Sub":
        return elementwise(inputs, (a, b) -> a - b);
      case "Mul":
        return elementwise(inputs, (a, b) -> a * b);
      case "Maximum":
        return elementwise(inputs, Math::max);
      case "Minimum":
        return elementwise(inputs, Math::min);
      case "Less":
        return elementwise(inputs, (a, b) -> a < b ? 1L : 0L);
      case "LessEqual":
        return elementwise(inputs, (a, b) -> a <= b ? 1L : 0L);
      case "Greater":
        return elementwise(inputs, (a, b) -> a > b ? 1L : 0L);
      case "GreaterEqual":
        return elementwise(inputs, (a, b) -> a >= b ? 1L : 0L);
      case "Equal":
        return elementwise(inputs, (a, b) -> a.equals(b) ? 1L : 0L);
      case "NotEqual":
        return elementwise(inputs, (a, b) -> a.equals(b) ? 0L : 1L);
      case "LogicalAnd":
        return elementwise(inputs, (a, b) -> a != 0 && b != 0 ? 1L : 0L);
      case "LogicalOr":
        return elementwise(inputs, (a, b) -> a != 0 || b != 0 ? 1L : 0L);
      case "LogicalNot":
        return of(inputs.get(0)).filter(StaticInts::scalar).flatMap(StaticInts::known)
            .map(v -> StaticInts.scalar(v == 0 ? 1L : 0L));
      case "Shape":
        return shapes.of(inputs.get(0)).filter(s -> !s.isUnknown()).map(StaticValues::dims);
      case "StridedSlice":
        return stridedSlice(node, inputs);
      case "Pack":
        return pack(inputs);
      default:
        return Optional.empty();
    }
  }

  private static StaticInts dims(Shape shape) {
    List<Long> dims = new ArrayList<>();
    for (long d : shape.asArray()) {
      dims.add(d < 0 ? null : d);
    }
    return new StaticInts(dims, false);
  }

  private Optional<StaticInts> elementwise(List<String> inputs, BinaryOperator<Long> op) {
    Optional<StaticInts> a = of(inputs.get(0));
    Optional<StaticInts> b = of(inputs.get(1));
    if (a.isEmpty() || b.isEmpty()) {
      return Optional.empty();
    }
    List<Long> x = a.get().values();
    List<Long> y = b.get().values();
    int n = Math.max(x.size(), y.size());
    if (x.size() != n && x.size() != 1 || y.size() != n && y.size() != 1) {
      return Optional.empty();
    }
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Long u = x.get(x.size() == 1 ? 0 : i);
      Long v = y.get(y.size() == 1 ? 0 : i);
      out.add(u == null || v == null ? null : op.apply(u, v));
    }
    return Optional.of(new StaticInts(out, a.get().scalar() && b.get().scalar()));
  }

  private Optional<StaticInts> pack(List<String> inputs) {
    List<Long> out = new ArrayList<>();
    for (String input : inputs) {
      Optional<StaticInts> v = of(input);
      if (v.isEmpty() || !v.get().scalar()) {
        return Optional.empty();
      }
      out.add(v.get().values().get(0));
    }
    return Optional.of(new StaticInts(out, false));
  }

  /** A one-dimensional StridedSlice with constant begin, end and stride. */
  private Optional<StaticInts> stridedSlice(NodeDef node, List<String> inputs) {
    for (String mask : List.of("ellipsis_mask", "new_axis_mask")) {
      if (node.containsAttr(mask) && node.getAttrOrThrow(mask).getI() != 0) {
        return Optional.empty();
      }
    }
    Optional<StaticInts> input = of(inputs.get(0));
    Optional<Long> begin = of(inputs.get(1)).filter(v -> v.values().size() == 1)
        .map(v -> v.values().get(0));
    Optional<Long> end = of(inputs.get(2)).filter(v -> v.values().size() == 1)
        .map(v -> v.values().get(0));
    Optional<Long> stride = of(inputs.get(3)).filter(v -> v.values().size() == 1)
        .map(v -> v.values().get(0));
    if (input.isEmpty() || input.get().scalar() || begin.isEmpty() || end.isEmpty()
        || stride.isEmpty() || stride.get() == 0) {
      return Optional.empty();
    }
    List<Long> v = input.get().values();
    int n = v.size();
    long s = stride.get();
    boolean beginMask = (mask(node, "begin_mask") & 1) != 0;
    boolean endMask = (mask(node, "end_mask") & 1) != 0;
    if ((mask(node, "shrink_axis_mask") & 1) != 0) {
      long i = begin.get() < 0 ? begin.get() + n : begin.get();
      return i < 0 || i >= n ? Optional.empty() : Optional.of(StaticInts.scalar(v.get((int) i)));
    }
    long b = beginMask ? (s > 0 ? 0 : n - 1) : clamp(begin.get(), n, s);
    long e = endMask ? (s > 0 ? n : -1) : clamp(end.get(), n, s);
    List<Long> out = new ArrayList<>();
    for (long i = b; s > 0 ? i < e : i > e; i += s) {
      out.add(v.get((int) i));
    }
    return Optional.of(new StaticInts(out, false));
  }

  private static long clamp(long index, int n, long stride) {
    long i = index < 0 ? index + n : index;
    return stride > 0 ? Math.max(0, Math.min(n, i)) : Math.max(-1, Math.min(n - 1, i));
  }

  private static long mask(NodeDef node, String name) {
    return node.containsAttr(name) ? node.getAttrOrThrow(name).getI() : 0;
  }

  /** An int32, int64 or bool constant of rank 0 or 1. */
  static Optional<StaticInts> constant(TensorProto tensor) {
    int rank = tensor.getTensorShape().getDimCount();
    if (rank > 1) {
      return Optional.empty();
    }
    long size = rank == 0 ? 1 : tensor.getTensorShape().getDim(0).getSize();
    List<Long> values = new ArrayList<>();
    DataType type = tensor.getDtype();
    if (!tensor.getTensorContent().isEmpty()) {
      ByteBuffer bytes = tensor.getTensorContent().asReadOnlyByteBuffer()
          .order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < size; i++) {
        switch (type) {
          case DT_INT32 -> values.add((long) bytes.getInt());
          case DT_INT64 -> values.add(bytes.getLong());
          case DT_BOOL -> values.add((long) bytes.get());
          default -> {
            return Optional.empty();
          }
        }
      }
    } else {
      List<Long> stored = switch (type) {
        case DT_INT32 -> tensor.getIntValList().stream().map(Integer::longValue).toList();
        case DT_INT64 -> tensor.getInt64ValList();
        case DT_BOOL -> tensor.getBoolValList().stream().map(b -> b ? 1L : 0L).toList();
        default -> null;
      };
      if (stored == null || stored.isEmpty() && size > 0) {
        return Optional.empty();
      }
      for (int i = 0; i < size; i++) { // a shorter list repeats its last value
        values.add(stored.get(Math.min(i, stored.size() - 1)));
      }
    }
    return Optional.of(new StaticInts(values, rank == 0));
  }
}
