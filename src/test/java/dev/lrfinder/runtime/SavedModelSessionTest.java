package dev.lrfinder.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.RewriterConfig;

/**
 * The session's config reaches every function body: each call op, at the top level and nested
 * inside the function library, carries it as its {@code config_proto}, replacing the config the
 * saving process wrote there (with which a nested body would otherwise be rewritten by Grappler).
 */
class SavedModelSessionTest {
  private static final Path MODEL = Path.of("savedmodels", "blobs_mlp");

  @Test
  void every_call_runs_its_body_under_the_session_config() {
    ConfigProto config = ConfigProto.newBuilder()
        .setGraphOptions(GraphOptions.newBuilder()
            .setRewriteOptions(RewriterConfig.newBuilder().setDisableMetaOptimizer(true)))
        .build();
    MetaGraphDef metaGraph = SavedModelDirectory.metaGraph(MODEL, "serve");
    List<NodeDef> saved = calls(metaGraph.getGraphDef());
    long nestedSaved = saved.stream().filter(call -> call.getName().contains("/")).count();
    assertTrue(nestedSaved > 0, "the export has nested calls: the test needs them");
    assertTrue(saved.stream().anyMatch(call -> !configOf(call).equals(config.toByteString())),
        "the saver wrote another config than the one under test");

    try (SavedModelSession loaded = SavedModelSession.open(metaGraph, config)) {
      List<NodeDef> imported = calls(loaded.graph().toGraphDef());
      assertEquals(saved.size(), imported.size());
      for (NodeDef call : imported) {
        assertEquals(config.toByteString(), configOf(call), call.getName());
      }
    }
  }

  /** Every call op of the graph and of its functions; a function's nodes named "fn/node". */
  private static List<NodeDef> calls(GraphDef graph) {
    List<NodeDef> calls = new ArrayList<>();
    for (NodeDef node : graph.getNodeList()) {
      if (node.getOp().endsWith("PartitionedCall")) {
        calls.add(node);
      }
    }
    for (FunctionDef function : graph.getLibrary().getFunctionList()) {
      for (NodeDef node : function.getNodeDefList()) {
        if (node.getOp().endsWith("PartitionedCall")) {
          calls.add(node.toBuilder()
              .setName(function.getSignature().getName() + "/" + node.getName()).build());
        }
      }
    }
    return calls;
  }

  private static ByteString configOf(NodeDef call) {
    return call.getAttrOrDefault("config_proto",
        org.tensorflow.proto.AttrValue.getDefaultInstance()).getS();
  }
}
