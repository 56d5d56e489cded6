package dev.lrfinder.safety;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.NameAttrList;
import org.tensorflow.proto.NodeDef;

/** The functions a node names: its op (a function called by name) and its function attributes. */
final class FunctionCalls {
  private FunctionCalls() {}

  /**
   * Every name in {@code node}'s function-valued attributes ({@code f}, {@code then_branch},
   * {@code body}, {@code branches}...), nested ones included, in order of appearance. A name may
   * be a library function or a primitive op (e.g. {@code SymbolicGradient} of {@code MatMul}).
   */
  static List<String> attributeNames(NodeDef node) {
    Set<String> names = new LinkedHashSet<>();
    node.getAttrMap().values().forEach(v -> collect(v, names));
    return new ArrayList<>(names);
  }

  /** The library functions {@code node} calls: by op name or through a function attribute. */
  static Set<String> of(NodeDef node, Map<String, FunctionDef> library) {
    Set<String> called = new LinkedHashSet<>();
    if (library.containsKey(node.getOp())) {
      called.add(node.getOp());
    }
    attributeNames(node).stream().filter(library::containsKey).forEach(called::add);
    return called;
  }

  private static void collect(AttrValue value, Set<String> names) {
    if (value.hasFunc()) {
      collect(value.getFunc(), names);
    }
    if (value.hasList()) {
      value.getList().getFuncList().forEach(f -> collect(f, names));
    }
  }

  private static void collect(NameAttrList function, Set<String> names) {
    names.add(function.getName());
    function.getAttrMap().values().forEach(v -> collect(v, names));
  }
}
