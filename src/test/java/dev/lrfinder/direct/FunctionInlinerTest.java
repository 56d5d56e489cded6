package dev.lrfinder.direct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NameAttrList;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.OpDef;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.TensorShapeProto;
import org.tensorflow.types.TFloat32;

/** Inlining hand-written function bodies: output-arg references, nested calls, IdentityN. */
class FunctionInlinerTest {
  private static final AttrValue FLOAT = AttrValue.newBuilder().setType(DataType.DT_FLOAT).build();

  private static OpDef.ArgDef arg(String name) {
    return OpDef.ArgDef.newBuilder().setName(name).setType(DataType.DT_FLOAT).build();
  }

  private static NodeDef constant(String name, float value) {
    return NodeDef.newBuilder().setName(name).setOp("Const").putAttr("dtype", FLOAT)
        .putAttr("value", AttrValue.newBuilder().setTensor(TensorProto.newBuilder()
            .setDtype(DataType.DT_FLOAT).setTensorShape(TensorShapeProto.getDefaultInstance())
            .addFloatVal(value)).build()).build();
  }

  /** inner(x) = (3x, x) through an IdentityN, as tf.custom_gradient writes it. */
  private static FunctionDef inner() {
    return FunctionDef.newBuilder()
        .setSignature(OpDef.newBuilder().setName("inner").addInputArg(arg("x"))
            .addOutputArg(arg("tripled")).addOutputArg(arg("same")))
        .addNodeDef(constant("three", 3f))
        .addNodeDef(NodeDef.newBuilder().setName("mul").setOp("Mul").addInput("x")
            .addInput("three:output:0").putAttr("T", FLOAT))
        .addNodeDef(NodeDef.newBuilder().setName("pair").setOp("IdentityN")
            .addInput("mul:z:0").addInput("x").putAttr("T", AttrValue.newBuilder()
                .setList(AttrValue.ListValue.newBuilder().addType(DataType.DT_FLOAT)
                    .addType(DataType.DT_FLOAT)).build()))
        .putRet("tripled", "pair:output:0").putRet("same", "pair:output:1")
        .build();
  }

  /** outer(x) = inner(x)[0] * inner(x)[1] + x, calling inner through StatefulPartitionedCall. */
  private static FunctionDef outer() {
    AttrValue types = AttrValue.newBuilder().setList(AttrValue.ListValue.newBuilder()
        .addType(DataType.DT_FLOAT)).build();
    AttrValue outTypes = AttrValue.newBuilder().setList(AttrValue.ListValue.newBuilder()
        .addType(DataType.DT_FLOAT).addType(DataType.DT_FLOAT)).build();
    return FunctionDef.newBuilder()
        .setSignature(OpDef.newBuilder().setName("outer").addInputArg(arg("x"))
            .addOutputArg(arg("y")))
        .addNodeDef(NodeDef.newBuilder().setName("call").setOp("StatefulPartitionedCall")
            .addInput("x").putAttr("Tin", types).putAttr("Tout", outTypes)
            .putAttr("f", AttrValue.newBuilder().setFunc(NameAttrList.newBuilder()
                .setName("inner")).build()))
        .addNodeDef(NodeDef.newBuilder().setName("product").setOp("Mul")
            .addInput("call:output:0").addInput("call:output:1").putAttr("T", FLOAT))
        .addNodeDef(NodeDef.newBuilder().setName("sum").setOp("AddV2")
            .addInput("product:z:0").addInput("x").putAttr("T", FLOAT))
        .putRet("y", "sum:z:0")
        .build();
  }

  @Test
  void inlinedBodiesComputeAndDifferentiateLikeTheFunctions() {
    FunctionInliner inliner = new FunctionInliner(Map.of("inner", inner(), "outer", outer()),
        OpRegistry.load(), Map.of());
    FunctionInliner.Inlined inlined = inliner.inline("outer", List.of("x:0"), "f");
    GraphDef def = GraphDef.newBuilder()
        .addNode(NodeDef.newBuilder().setName("x").setOp("Placeholder").putAttr("dtype", FLOAT))
        .addAllNode(inliner.nodes()).build();
    assertTrue(inliner.opTypes().containsAll(List.of("Mul", "AddV2", "Const")));
    assertTrue(!inliner.opTypes().contains("IdentityN"), inliner.opTypes().toString());
    try (Graph graph = new Graph()) {
      graph.importGraphDef(def);
      String y = inlined.outputs().get(0);
      Output<?> out = graph.operation(y.substring(0, y.lastIndexOf(':'))).output(0);
      Output<?> x = graph.operation("x").output(0);
      Output<?> dydx = graph.addGradients(out, new Output<?>[] {x})[0];
      try (Session session = new Session(graph); TFloat32 two = TFloat32.scalarOf(2f);
          Result result = session.runner().feed(x, two).fetch(out).fetch(dydx).run()) {
        assertEquals(3f * 2 * 2 + 2, ((TFloat32) result.get(0)).getFloat()); // 3x^2 + x
        assertEquals(6f * 2 + 1, ((TFloat32) result.get(1)).getFloat()); // 6x + 1
      }
    }
  }

  private static final AttrValue INT = AttrValue.newBuilder().setType(DataType.DT_INT32).build();

  private static OpDef.ArgDef arg(String name, DataType type) {
    return OpDef.ArgDef.newBuilder().setName(name).setType(type).build();
  }

  private static NodeDef intConstant(String name, int... values) {
    TensorProto.Builder tensor = TensorProto.newBuilder().setDtype(DataType.DT_INT32);
    if (values.length == 1) {
      tensor.setTensorShape(TensorShapeProto.getDefaultInstance()).addIntVal(values[0]);
    } else {
      tensor.setTensorShape(TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dim
          .newBuilder().setSize(values.length)));
      for (int v : values) {
        tensor.addIntVal(v);
      }
    }
    return NodeDef.newBuilder().setName(name).setOp("Const").putAttr("dtype", INT)
        .putAttr("value", AttrValue.newBuilder().setTensor(tensor).build()).build();
  }

  private static AttrValue func(String name) {
    return AttrValue.newBuilder().setFunc(NameAttrList.newBuilder().setName(name)).build();
  }

  /**
   * loop(x): y = x; for i in range(len(x)): y = y * x; list[i] = y. Returns (y, sum of the
   * stacked list), i.e. (x^(n+1), sum over i of x^(i+2)), as while_v2 writes it: the trip count
   * is the static length of x, read through Shape and StridedSlice, the list a TensorList.
   */
  private static Map<String, FunctionDef> loopLibrary() {
    DataType[] types = {DataType.DT_INT32, DataType.DT_INT32, DataType.DT_VARIANT,
        DataType.DT_FLOAT, DataType.DT_FLOAT};
    String[] names = {"i", "n", "list", "y", "x"};
    OpDef.Builder bodySignature = OpDef.newBuilder().setName("body");
    OpDef.Builder condSignature = OpDef.newBuilder().setName("cond");
    for (int k = 0; k < names.length; k++) {
      bodySignature.addInputArg(arg(names[k], types[k]))
          .addOutputArg(arg(names[k] + "_out", types[k]));
      condSignature.addInputArg(arg(names[k], types[k]));
    }
    FunctionDef body = FunctionDef.newBuilder().setSignature(bodySignature)
        .addNodeDef(intConstant("one", 1))
        .addNodeDef(NodeDef.newBuilder().setName("next").setOp("AddV2").addInput("i")
            .addInput("one:output:0").putAttr("T", INT))
        .addNodeDef(NodeDef.newBuilder().setName("product").setOp("Mul").addInput("y")
            .addInput("x").putAttr("T", FLOAT))
        .addNodeDef(NodeDef.newBuilder().setName("set").setOp("TensorListSetItem")
            .addInput("list").addInput("i").addInput("product:z:0")
            .putAttr("element_dtype", FLOAT))
        .putRet("i_out", "next:z:0").putRet("n_out", "n").putRet("list_out", "set:output_handle:0")
        .putRet("y_out", "product:z:0").putRet("x_out", "x").build();
    FunctionDef cond = FunctionDef.newBuilder()
        .setSignature(condSignature.addOutputArg(arg("go", DataType.DT_BOOL)))
        .addNodeDef(NodeDef.newBuilder().setName("less").setOp("Less").addInput("i")
            .addInput("n").putAttr("T", INT))
        .putRet("go", "less:z:0").build();
    AttrValue.ListValue.Builder loopTypes = AttrValue.ListValue.newBuilder();
    for (DataType t : types) {
      loopTypes.addType(t);
    }
    FunctionDef loop = FunctionDef.newBuilder()
        .setSignature(OpDef.newBuilder().setName("loop").addInputArg(arg("x"))
            .addOutputArg(arg("y")).addOutputArg(arg("s")))
        .addNodeDef(NodeDef.newBuilder().setName("shape").setOp("Shape").addInput("x")
            .putAttr("T", FLOAT).putAttr("out_type", INT))
        .addNodeDef(renamed(intConstant("begin", 0), "begin", 0))
        .addNodeDef(renamed(intConstant("end", 1), "end", 1))
        .addNodeDef(renamed(intConstant("stride", 1), "stride", 1))
        .addNodeDef(NodeDef.newBuilder().setName("n").setOp("StridedSlice")
            .addInput("shape:output:0").addInput("begin:output:0").addInput("end:output:0")
            .addInput("stride:output:0").putAttr("T", INT).putAttr("Index", INT)
            .putAttr("shrink_axis_mask", AttrValue.newBuilder().setI(1).build()))
        .addNodeDef(intConstant("zero", 0))
        .addNodeDef(intConstant("element_shape", -1))
        .addNodeDef(NodeDef.newBuilder().setName("reserve").setOp("TensorListReserve")
            .addInput("element_shape:output:0").addInput("n:output:0")
            .putAttr("element_dtype", FLOAT).putAttr("shape_type", INT))
        .addNodeDef(NodeDef.newBuilder().setName("while").setOp("StatelessWhile")
            .addInput("zero:output:0").addInput("n:output:0").addInput("reserve:handle:0")
            .addInput("x").addInput("x").putAttr("T", AttrValue.newBuilder().setList(loopTypes)
                .build()).putAttr("body", func("body")).putAttr("cond", func("cond")))
        .addNodeDef(NodeDef.newBuilder().setName("stack").setOp("TensorListStack")
            .addInput("while:output:2").addInput("element_shape:output:0")
            .putAttr("element_dtype", FLOAT))
        .addNodeDef(intConstant("axes", 0, 1))
        .addNodeDef(NodeDef.newBuilder().setName("sum").setOp("Sum")
            .addInput("stack:tensor:0").addInput("axes:output:0").putAttr("T", FLOAT)
            .putAttr("Tidx", INT))
        .putRet("y", "while:output:3").putRet("s", "sum:output:0").build();
    return Map.of("loop", loop, "body", body, "cond", cond);
  }

  /** A rank-1 int32 constant of one value. */
  private static NodeDef renamed(NodeDef scalar, String name, int value) {
    return scalar.toBuilder().setName(name).putAttr("value", AttrValue.newBuilder().setTensor(
        TensorProto.newBuilder().setDtype(DataType.DT_INT32).addIntVal(value)
            .setTensorShape(TensorShapeProto.newBuilder().addDim(
                TensorShapeProto.Dim.newBuilder().setSize(1)))).build()).build();
  }

  private static NodeDef vector(long length) {
    return NodeDef.newBuilder().setName("x").setOp("Placeholder").putAttr("dtype", FLOAT)
        .putAttr("shape", AttrValue.newBuilder().setShape(TensorShapeProto.newBuilder()
            .addDim(TensorShapeProto.Dim.newBuilder().setSize(length))).build()).build();
  }

  @Test
  void aLoopOfStaticLengthIsUnrolledIntoDifferentiableOps() {
    NodeDef x = vector(3);
    FunctionInliner inliner = new FunctionInliner(loopLibrary(), OpRegistry.load(), Map.of(),
        Map.of("x", x));
    FunctionInliner.Inlined inlined = inliner.inline("loop", List.of("x:0"), "f");
    assertTrue(inliner.nodes().stream().map(NodeDef::getOp).noneMatch(op -> op.contains("While")
        || op.startsWith("TensorList")), inliner.nodes().toString());
    try (Graph graph = new Graph()) {
      graph.importGraphDef(GraphDef.newBuilder().addNode(x).addAllNode(inliner.nodes()).build());
      Output<?> y = output(graph, inlined.outputs().get(0));
      Output<?> s = output(graph, inlined.outputs().get(1));
      Output<?> input = graph.operation("x").output(0);
      Output<?> dsdx = graph.addGradients(s, new Output<?>[] {input})[0];
      try (Session session = new Session(graph);
          TFloat32 twos = TFloat32.vectorOf(2f, 2f, 2f);
          Result result = session.runner().feed(input, twos).fetch(y).fetch(s).fetch(dsdx)
              .run()) {
        assertEquals(16f, ((TFloat32) result.get(0)).getFloat(1)); // x^4: three steps
        assertEquals(3 * (4f + 8f + 16f), ((TFloat32) result.get(1)).getFloat());
        assertEquals(2 * 2f + 3 * 4f + 4 * 8f, ((TFloat32) result.get(2)).getFloat(0));
      }
    }
  }

  private static Output<?> output(Graph graph, String tensor) {
    int colon = tensor.lastIndexOf(':');
    return graph.operation(tensor.substring(0, colon))
        .output(Integer.parseInt(tensor.substring(colon + 1)));
  }

  @Test
  void aLoopWhoseLengthIsNotFixedIsRefusedWithTheReason() {
    FunctionInliner inliner = new FunctionInliner(loopLibrary(), OpRegistry.load(), Map.of(),
        Map.of("x", vector(-1)));
    UnsupportedModelException e = assertThrows(UnsupportedModelException.class,
        () -> inliner.inline("loop", List.of("x:0"), "f"));
    assertTrue(e.getMessage().contains("sequence length is not fixed (None)"), e.getMessage());
  }
}
