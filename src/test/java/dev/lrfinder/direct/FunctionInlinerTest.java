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

  @Test
  void loopsAreRefusedWithTheReason() {
    FunctionDef loop = FunctionDef.newBuilder()
        .setSignature(OpDef.newBuilder().setName("loop").addInputArg(arg("x"))
            .addOutputArg(arg("y")))
        .addNodeDef(NodeDef.newBuilder().setName("while").setOp("StatelessWhile").addInput("x"))
        .putRet("y", "while:output:0").build();
    FunctionInliner inliner = new FunctionInliner(Map.of("loop", loop), OpRegistry.load(),
        Map.of());
    UnsupportedModelException e = assertThrows(UnsupportedModelException.class,
        () -> inliner.inline("loop", List.of("x:0"), "f"));
    assertTrue(e.getMessage().contains("LSTM"), e.getMessage());
  }
}
