package dev.lrfinder.direct;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.NodeDef;

/**
 * Rewrites the TensorList ops of an unrolled loop (no C++ gradient) into ops that have one: a
 * list op becomes a {@link SymbolicList} held here under the graph tensor it would have
 * produced (a NoOp stands under its name for control dependencies), a read at a known index
 * becomes an {@code Identity} of the element set there or of one output of an {@code Unpack} of
 * the list's source tensor, and a stack becomes a {@code Pack} of the elements.
 */
final class TensorListRewriter {
  static final Set<String> LIST_OPS = Set.of("TensorListFromTensor", "TensorListReserve",
      "TensorListSetItem", "TensorListGetItem", "TensorListStack");

  private final Map<String, SymbolicList> lists = new HashMap<>();
  /** A list's source tensor to the Unpack node that splits it along axis 0. */
  private final Map<String, String> unstacked = new HashMap<>();
  private final StaticValues values;
  private final Consumer<NodeDef> emit;

  TensorListRewriter(StaticValues values, Consumer<NodeDef> emit) {
    this.values = values;
    this.emit = emit;
  }

  boolean isList(String tensor) {
    return lists.containsKey(tensor);
  }

  /**
   * Emits the replacement of list op {@code node} (or of an Identity of a list) under graph
   * name {@code name}, given its inputs as graph tensors and its control inputs ({@code ^n}).
   */
  void rewrite(NodeDef node, String name, List<String> inputs, List<String> controls) {
    String op = node.getOp();
    switch (op) {
      case "Identity" -> symbolic(name, list(inputs.get(0), op), inputs, controls);
      case "TensorListFromTensor" -> symbolic(name,
          SymbolicList.fromTensor(inputs.get(0), type(node, "element_dtype")), inputs, controls);
      case "TensorListReserve" -> symbolic(name,
          SymbolicList.reserved(type(node, "element_dtype"), values.scalar(inputs.get(1))),
          inputs, controls);
      case "TensorListSetItem" -> symbolic(name, list(inputs.get(0), op)
          .with(index(inputs.get(1), op), inputs.get(2)), inputs, controls);
      case "TensorListGetItem" -> emit.accept(identity(name, element(list(inputs.get(0), op),
          index(inputs.get(1), op), name), type(node, "element_dtype"), controls));
      case "TensorListStack" -> emit.accept(stack(name, list(inputs.get(0), op), controls));
      default -> throw new IllegalArgumentException("not a list op: " + op);
    }
  }

  private void symbolic(String name, SymbolicList list, List<String> inputs,
      List<String> controls) {
    lists.put(name + ":0", list);
    NodeDef.Builder done = NodeDef.newBuilder().setName(name).setOp("NoOp");
    inputs.forEach(t -> done.addInput("^" + GraphTensors.node(t)));
    done.addAllInput(controls);
    emit.accept(done.build());
  }

  private SymbolicList list(String tensor, String op) {
    SymbolicList list = lists.get(tensor);
    if (list == null) {
      throw new UnsupportedModelException("its loop passes a TensorList to " + op
          + " that was not made by TensorListFromTensor or TensorListReserve");
    }
    return list;
  }

  private int index(String tensor, String op) {
    return values.scalar(tensor).map(Long::intValue).orElseThrow(() ->
        new UnsupportedModelException("its loop's " + op + " uses an index that is not known"
            + " when the graph is built"));
  }

  /** The graph tensor of element {@code index}. */
  private String element(SymbolicList list, int index, String reader) {
    String set = list.elements().get(index);
    if (set != null) {
      return set;
    }
    if (list.source() == null) {
      throw new UnsupportedModelException("its loop reads element " + index
          + " of a list before writing it (" + reader + ")");
    }
    String unpack = unstacked.get(list.source());
    int length = length(list.source());
    if (index < 0 || index >= length) {
      throw new UnsupportedModelException("its loop reads element " + index + " of a list of "
          + length);
    }
    if (unpack == null) {
      unpack = GraphTensors.node(list.source()) + "/lrfinder_unstack";
      emit.accept(NodeDef.newBuilder().setName(unpack).setOp("Unpack").addInput(list.source())
          .putAttr("T", typeAttr(list.elementType()))
          .putAttr("num", AttrValue.newBuilder().setI(length).build())
          .putAttr("axis", AttrValue.newBuilder().setI(0).build()).build());
      unstacked.put(list.source(), unpack);
    }
    return unpack + ":" + index;
  }

  private int length(String source) {
    Optional<Shape> shape = values.shapes().of(source);
    if (shape.isEmpty() || shape.get().isUnknown() || shape.get().numDimensions() == 0
        || shape.get().size(0) < 0) {
      throw new UnsupportedModelException("its recurrent layer's sequence length is not fixed"
          + " when the graph is built");
    }
    return (int) shape.get().size(0);
  }

  private NodeDef stack(String name, SymbolicList list, List<String> controls) {
    if (list.elements().isEmpty() && list.source() != null) {
      return identity(name, list.source(), list.elementType(), controls);
    }
    long length = list.reserved().orElseThrow(() -> new UnsupportedModelException(
        "its loop stacks a list whose length is not known when the graph is built"));
    List<String> elements = new ArrayList<>();
    for (int i = 0; i < length; i++) {
      String element = list.elements().get(i);
      if (element == null) {
        throw new UnsupportedModelException("its loop stacks a list of " + length
            + " of which element " + i + " was never written");
      }
      elements.add(element);
    }
    if (list.elements().size() != length) {
      throw new UnsupportedModelException("its loop wrote " + list.elements().size()
          + " elements into a list of " + length);
    }
    return NodeDef.newBuilder().setName(name).setOp("Pack").addAllInput(elements)
        .addAllInput(controls).putAttr("T", typeAttr(list.elementType()))
        .putAttr("N", AttrValue.newBuilder().setI(length).build())
        .putAttr("axis", AttrValue.newBuilder().setI(0).build()).build();
  }

  private static NodeDef identity(String name, String input, DataType type,
      List<String> controls) {
    return NodeDef.newBuilder().setName(name).setOp("Identity").addInput(input)
        .addAllInput(controls).putAttr("T", typeAttr(type)).build();
  }

  private static DataType type(NodeDef node, String attr) {
    return node.getAttrOrThrow(attr).getType();
  }

  private static AttrValue typeAttr(DataType type) {
    return AttrValue.newBuilder().setType(type).build();
  }

}
