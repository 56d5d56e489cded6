package dev.lrfinder.safety;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.FunctionDefLibrary;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NameAttrList;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.OpDef;
import org.tensorflow.proto.SaverDef;

/** The scanner on small graphs and function libraries built here, the way SavedModels hold them. */
class OpScanTest {
  private final OpScan scan = new OpScan(OpPolicy.bundled());

  @Test
  void aGraphOfMathIsSafe() {
    ScanReport report = scan.scan(meta(graph(List.of(node("x", "Placeholder"),
        node("w", "Const"), node("y", "MatMul", "x", "w"), node("p", "Softmax", "y")))));
    assertTrue(report.safe(), report.findings().toString());
    assertEquals(4, report.graphNodes());
    assertEquals(List.of("Const", "MatMul", "Placeholder", "Softmax"),
        List.copyOf(report.opTypes()));
  }

  @Test
  void aFileOpOfTheGraphIsNamedWithItsNode() {
    ScanReport report = scan.scan(meta(graph(List.of(node("path", "Const"),
        node("data", "Const"), node("evil/WriteFile", "WriteFile", "path", "data")))));
    assertEquals(List.of(new Finding("WriteFile", "evil/WriteFile", null, Concern.FILES)),
        report.findings());
    assertEquals("op WriteFile (node 'evil/WriteFile' in the graph) reads, writes, lists or maps"
        + " files", report.findings().get(0).sentence());
  }

  @Test
  void aFileOpTwoCallsDownIsFoundInItsFunction() {
    FunctionDef outer = function("outer", node("cond", "If", "flag")
        .toBuilder().putAttr("then_branch", func("inner")).putAttr("else_branch", func("plain"))
        .build());
    FunctionDef inner = function("inner", node("read", "ReadFile", "path"));
    FunctionDef plain = function("plain", node("id", "Identity", "x"));
    ScanReport report = scan.scan(meta(graph(List.of(node("x", "Placeholder"),
        call("call", "outer", "x")), outer, inner, plain)));
    assertEquals(List.of(new Finding("ReadFile", "read", "inner", Concern.FILES)),
        report.findings());
    assertEquals(3, report.functions());
    assertEquals(3, report.functionNodes());
  }

  @Test
  void everyFunctionOfTheLibraryIsScannedEvenWhenNothingCallsIt() {
    ScanReport report = scan.scan(meta(graph(List.of(node("x", "Placeholder")),
        function("python_layer", node("py", "EagerPyFunc", "x")))));
    assertEquals(List.of(new Finding("EagerPyFunc", "py", "python_layer", Concern.PYTHON)),
        report.findings());
  }

  @Test
  void anOpOnNoListIsRefusedAsUnknown() {
    ScanReport report = scan.scan(meta(graph(List.of(node("f", "Frobnicate")))));
    assertEquals(Concern.NOT_ALLOWED, report.findings().get(0).concern());
    assertEquals("op Frobnicate (node 'f' in the graph) is not on lrfinder's allow-list of safe"
        + " ops", report.findings().get(0).sentence());
  }

  @Test
  void aFunctionCalledByNameIsNotAnUnknownOpAndItsBodyIsScanned() {
    ScanReport report = scan.scan(meta(graph(List.of(node("x", "Placeholder"),
        node("c", "my_layer", "x")), function("my_layer", node("w", "WriteFile", "a", "b")))));
    assertEquals(List.of(new Finding("WriteFile", "w", "my_layer", Concern.FILES)),
        report.findings());
  }

  @Test
  void aFunctionAttributeNamingAPrimitiveOpIsChecked() {
    NodeDef gradient = node("g", "SymbolicGradient", "x").toBuilder()
        .putAttr("f", func("ReadFile")).build();
    ScanReport report = scan.scan(meta(graph(List.of(node("x", "Placeholder"), gradient))));
    assertEquals(List.of(new Finding("ReadFile", "g", null, Concern.FILES)), report.findings());
  }

  @Test
  void recursiveFunctionsEnd() {
    FunctionDef a = function("a", call("to_b", "b"));
    FunctionDef b = function("b", call("to_a", "a"), node("save", "SaveV2"));
    ScanReport report = scan.scan(metaWithSaver(graph(List.of(call("c", "a")), a, b),
        SaverDef.getDefaultInstance()));
    assertEquals(List.of(new Finding("SaveV2", "save", "b", Concern.CHECKPOINT)),
        report.findings());
  }

  @Test
  void printV2IsAllowedToStderrButNotToAFile() {
    NodeDef toStderr = node("p1", "PrintV2", "s").toBuilder()
        .putAttr("output_stream", string("stderr")).build();
    NodeDef toFile = node("p2", "PrintV2", "s").toBuilder()
        .putAttr("output_stream", string("file:///tmp/leak.txt")).build();
    ScanReport report = scan.scan(meta(graph(List.of(node("s", "StringFormat"), toStderr,
        toFile))));
    assertEquals(List.of(new Finding("PrintV2", "p2", null, Concern.PRINT_TO_FILE)),
        report.findings());
  }

  // --- checkpoint ops: only in what the saver_def reaches -------------------------------------

  /** A TF2 SavedModel's saver: save and restore nodes calling the traced save/restore functions. */
  private static GraphDef tf2Saver(NodeDef... more) {
    List<NodeDef> nodes = new java.util.ArrayList<>(List.of(node("saver_filename", "Placeholder"),
        node("v", "VarHandleOp"), call("save", "traced_save", "saver_filename", "v"),
        call("restore", "traced_restore", "saver_filename", "v"),
        node("x", "Placeholder"), call("serve", "forward", "x", "v")));
    nodes.addAll(List.of(more));
    return graph(nodes,
        function("traced_save", node("join", "StringJoin", "prefix"),
            node("shard", "ShardedFilename", "join"), node("save", "SaveV2", "shard"),
            node("merge", "MergeV2Checkpoints", "shard"), call("helper", "save_helper")),
        function("save_helper", node("rx", "StaticRegexFullMatch", "prefix")),
        function("traced_restore", node("restore", "RestoreV2", "prefix"),
            node("assign", "AssignVariableOp", "v", "restore")),
        function("forward", node("read", "ReadVariableOp", "v"),
            node("y", "MatMul", "x", "read")));
  }

  private static final SaverDef TF2_SAVER = SaverDef.newBuilder()
      .setFilenameTensorName("saver_filename:0").setSaveTensorName("save:0")
      .setRestoreOpName("restore").build();

  @Test
  void theSaversOwnFunctionsMayCheckpoint() {
    ScanReport report = scan.scan(metaWithSaver(tf2Saver(), TF2_SAVER));
    assertTrue(report.safe(), report.findings().toString());
  }

  @Test
  void withoutASaverDefCheckpointOpsAreRefused() {
    ScanReport report = scan.scan(metaWithSaver(tf2Saver(), SaverDef.getDefaultInstance()));
    assertEquals(List.of("ShardedFilename", "SaveV2", "MergeV2Checkpoints", "RestoreV2"),
        report.findings().stream().map(Finding::opType).toList());
    assertTrue(report.findings().stream().allMatch(f -> f.concern() == Concern.CHECKPOINT));
  }

  @Test
  void aSaverFunctionThatAnotherNodeCallsIsNoLongerTheSavers() {
    ScanReport report = scan.scan(metaWithSaver(
        tf2Saver(call("sneaky", "traced_restore", "x", "v")), TF2_SAVER));
    assertEquals(List.of(new Finding("RestoreV2", "restore", "traced_restore",
        Concern.CHECKPOINT)), report.findings());
  }

  @Test
  void aSaverFunctionReachedThroughABranchListIsNoLongerTheSavers() {
    NodeDef branches = node("case", "Case", "x").toBuilder().putAttr("branches",
        AttrValue.newBuilder().setList(AttrValue.ListValue.newBuilder()
            .addFunc(NameAttrList.newBuilder().setName("forward"))
            .addFunc(NameAttrList.newBuilder().setName("traced_save"))).build()).build();
    ScanReport report = scan.scan(metaWithSaver(tf2Saver(branches), TF2_SAVER));
    assertEquals(List.of("ShardedFilename", "SaveV2", "MergeV2Checkpoints"),
        report.findings().stream().map(Finding::opType).toList());
  }

  @Test
  void aCheckpointOpInAModelFunctionIsRefused() {
    GraphDef graph = tf2Saver().toBuilder().setLibrary(tf2Saver().getLibrary().toBuilder()
        .addFunction(function("layer_call", node("dump", "SaveV2", "path")))).build();
    ScanReport report = scan.scan(metaWithSaver(graph, TF2_SAVER));
    assertEquals(List.of(new Finding("SaveV2", "dump", "layer_call", Concern.CHECKPOINT)),
        report.findings());
    assertEquals("op SaveV2 (node 'dump' in function 'layer_call') reads or writes checkpoints"
        + " outside the SavedModel's own saver", report.findings().get(0).sentence());
  }

  /** A TF1 Saver's graph nodes, as tf.compat.v1.train.Saver(sharded=True) writes them. */
  private static GraphDef tf1Saver(NodeDef... more) {
    List<NodeDef> nodes = new java.util.ArrayList<>(List.of(node("w", "VariableV2"),
        node("save/Const", "PlaceholderWithDefault"),
        node("save/ShardedFilename", "ShardedFilename", "save/Const"),
        node("save/SaveV2", "SaveV2", "save/ShardedFilename", "w"),
        node("save/control_dependency", "Identity", "save/ShardedFilename", "^save/SaveV2"),
        node("save/MergeV2Checkpoints", "MergeV2Checkpoints", "save/control_dependency"),
        node("save/Identity", "Identity", "save/Const", "^save/MergeV2Checkpoints"),
        node("save/RestoreV2", "RestoreV2", "save/Const"),
        node("save/Assign", "Assign", "w", "save/RestoreV2"),
        node("save/restore_all", "NoOp", "^save/Assign"),
        node("x", "Placeholder"), node("y", "MatMul", "x", "w")));
    nodes.addAll(List.of(more));
    return graph(nodes);
  }

  private static final SaverDef TF1_SAVER = SaverDef.newBuilder()
      .setFilenameTensorName("save/Const:0").setSaveTensorName("save/Identity:0")
      .setRestoreOpName("save/restore_all").build();

  @Test
  void aTf1SaversNodesMayCheckpoint() {
    assertTrue(scan.scan(metaWithSaver(tf1Saver(), TF1_SAVER)).safe());
  }

  @Test
  void aTf1MainOpThatWritesAFileIsRefused() {
    ScanReport report = scan.scan(metaWithSaver(tf1Saver(node("p", "Const"),
        node("WriteFile", "WriteFile", "p", "p"), node("main_op", "NoOp", "^WriteFile")),
        TF1_SAVER));
    assertEquals(List.of(new Finding("WriteFile", "WriteFile", null, Concern.FILES)),
        report.findings());
  }

  @Test
  void aSaverNodeThatAnotherNodeDependsOnIsNoLongerTheSavers() {
    ScanReport report = scan.scan(metaWithSaver(
        tf1Saver(node("main_op", "NoOp", "^save/RestoreV2")), TF1_SAVER));
    assertEquals(List.of(new Finding("RestoreV2", "save/RestoreV2", null, Concern.CHECKPOINT)),
        report.findings());
  }

  @Test
  void everyMetaGraphIsScanned() {
    var model = org.tensorflow.proto.SavedModel.newBuilder()
        .addMetaGraphs(meta(graph(List.of(node("x", "Placeholder")))))
        .addMetaGraphs(meta(graph(List.of(node("leak", "MatchingFiles"))))).build();
    assertEquals(List.of(new Finding("MatchingFiles", "leak", null, Concern.FILES)),
        scan.scan(model).findings());
  }

  // --- builders ----------------------------------------------------------------------------

  static NodeDef node(String name, String op, String... inputs) {
    return NodeDef.newBuilder().setName(name).setOp(op).addAllInput(List.of(inputs)).build();
  }

  static NodeDef call(String name, String function, String... inputs) {
    return node(name, "StatefulPartitionedCall", inputs).toBuilder()
        .putAttr("f", func(function)).build();
  }

  static AttrValue func(String name) {
    return AttrValue.newBuilder().setFunc(NameAttrList.newBuilder().setName(name)).build();
  }

  static AttrValue string(String value) {
    return AttrValue.newBuilder().setS(ByteString.copyFromUtf8(value)).build();
  }

  static FunctionDef function(String name, NodeDef... body) {
    return FunctionDef.newBuilder().setSignature(OpDef.newBuilder().setName(name))
        .addAllNodeDef(List.of(body)).build();
  }

  static GraphDef graph(List<NodeDef> nodes, FunctionDef... library) {
    return GraphDef.newBuilder().addAllNode(nodes)
        .setLibrary(FunctionDefLibrary.newBuilder().addAllFunction(List.of(library))).build();
  }

  static MetaGraphDef meta(GraphDef graph) {
    return MetaGraphDef.newBuilder().setGraphDef(graph).build();
  }

  static MetaGraphDef metaWithSaver(GraphDef graph, SaverDef saver) {
    return MetaGraphDef.newBuilder().setGraphDef(graph).setSaverDef(saver).build();
  }
}
