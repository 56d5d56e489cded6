package dev.lrfinder.runtime;

import java.nio.file.Path;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.proto.AssetFileDef;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.CollectionDef;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SaverDef;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.types.TString;

/**
 * A SavedModel's meta graph in a session of lrfinder's own, loaded in two halves so that lrfinder
 * can add its ops in between: {@link #open} imports the graph, {@link #restore} then fills the
 * variables from the checkpoint and runs the init op, as TensorFlow's own loader does
 * ({@code tensorflow/cc/saved_model/loader.cc}: restore with the checkpoint's path fed to the
 * saver's filename tensor, asset paths fed, then the {@code __saved_model_init_op}). The first
 * run then sees the whole graph, lrfinder's ops included. TensorFlow's loader runs the restore
 * first, and every op added after a session's first run extends the session, which copies the
 * whole graph and its function library again (1.1-1.4 s on a ResNet50 export).
 */
public final class SavedModelSession implements AutoCloseable {
  private static final String INIT_OP_SIGNATURE = "__saved_model_init_op";
  private static final java.util.Set<String> FUNCTION_CALLS =
      java.util.Set.of("StatefulPartitionedCall", "PartitionedCall");
  private static final List<String> INIT_OP_COLLECTIONS = List.of("saved_model_main_op",
      "legacy_init_op");
  private final MetaGraphDef metaGraph;
  private final Graph graph;
  private final Session session;

  private SavedModelSession(MetaGraphDef metaGraph, Graph graph, Session session) {
    this.metaGraph = metaGraph;
    this.graph = graph;
    this.session = session;
  }

  /**
   * Imports {@code metaGraph}'s graph and opens a session on it under {@code config}; every
   * function call, at the graph's top level and inside its function library, runs its function's
   * body under {@code config} too (its {@code config_proto} attribute, which the saver wrote as
   * the saving process's own config). With Grappler off in {@code config}, no call then rewrites
   * its body at its first run.
   */
  public static SavedModelSession open(MetaGraphDef metaGraph, ConfigProto config) {
    Graph graph = new Graph();
    try {
      graph.importGraphDef(withCallConfig(metaGraph.getGraphDef(), config));
      return new SavedModelSession(metaGraph, graph, new Session(graph, config));
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    }
  }

  private static GraphDef withCallConfig(GraphDef graph, ConfigProto config) {
    AttrValue callConfig = AttrValue.newBuilder().setS(config.toByteString()).build();
    GraphDef.Builder builder = graph.toBuilder();
    for (NodeDef.Builder node : builder.getNodeBuilderList()) {
      setCallConfig(node, callConfig);
    }
    for (var function : builder.getLibraryBuilder().getFunctionBuilderList()) {
      for (NodeDef.Builder node : function.getNodeDefBuilderList()) {
        setCallConfig(node, callConfig);
      }
    }
    return builder.build();
  }

  private static void setCallConfig(NodeDef.Builder node, AttrValue callConfig) {
    if (FUNCTION_CALLS.contains(node.getOp())) {
      node.putAttr("config_proto", callConfig);
    }
  }

  public Graph graph() {
    return graph;
  }

  public Session session() {
    return session;
  }

  public MetaGraphDef metaGraph() {
    return metaGraph;
  }

  /** The name of the op that restores the variables, or empty when the graph has no saver. */
  public String restoreOp() {
    return metaGraph.hasSaverDef() ? metaGraph.getSaverDef().getRestoreOpName() : "";
  }

  /**
   * Restores every variable from the checkpoint of {@code directory} and runs the init op,
   * with the assets' paths fed to both.
   */
  public void restore(Path directory) {
    SaverDef saver = metaGraph.getSaverDef();
    if (!saver.getRestoreOpName().isEmpty()) {
      Session.Runner runner = session.runner();
      try (TString prefix = TString.scalarOf(directory.resolve(SavedModelDirectory.VARIABLES_PREFIX)
          .toString())) {
        runner.feed(saver.getFilenameTensorName(), prefix);
        runWithAssets(runner.addTarget(saver.getRestoreOpName()), directory);
      }
    }
    String init = initOp();
    if (!init.isEmpty()) {
      runWithAssets(session.runner().addTarget(init), directory);
    }
  }

  /** The init op: the {@code __saved_model_init_op} signature's output, or a TF1 collection's. */
  private String initOp() {
    SignatureDef signature = metaGraph.getSignatureDefMap().get(INIT_OP_SIGNATURE);
    if (signature != null && signature.containsOutputs(INIT_OP_SIGNATURE)) {
      return opName(signature.getOutputsOrThrow(INIT_OP_SIGNATURE).getName());
    }
    for (String key : INIT_OP_COLLECTIONS) {
      CollectionDef collection = metaGraph.getCollectionDefMap().get(key);
      if (collection != null && collection.getNodeList().getValueCount() > 0) {
        return opName(collection.getNodeList().getValue(0));
      }
    }
    return "";
  }

  private void runWithAssets(Session.Runner runner, Path directory) {
    List<Tensor> fed = new java.util.ArrayList<>();
    try {
      for (AssetFileDef asset : metaGraph.getAssetFileDefList()) {
        TString path = TString.scalarOf(directory.resolve("assets").resolve(asset.getFilename())
            .toString());
        fed.add(path);
        runner.feed(asset.getTensorInfo().getName(), path);
      }
      runner.run().close();
    } finally {
      fed.forEach(Tensor::close);
    }
  }

  private static String opName(String tensorOrOp) {
    return tensorOrOp.replaceFirst("^\\^", "").replaceFirst(":\\d+$", "");
  }

  @Override
  public void close() {
    try {
      session.close();
    } finally {
      graph.close();
    }
  }
}
