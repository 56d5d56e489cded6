package dev.lrfinder.safety;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorProto;

/**
 * Copies of bundled SavedModels with nodes added to their graph or functions, for the tests that
 * prove such models are refused (and, with trust, really run what was added). Built from protobuf
 * in Java, so no Python is needed.
 */
public final class TamperedModels {
  private TamperedModels() {}

  public static SavedModel read(Path dir) {
    try (InputStream in = Files.newInputStream(dir.resolve("saved_model.pb"))) {
      return SavedModel.parseFrom(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static void write(Path dir, SavedModel model) {
    try (OutputStream out = Files.newOutputStream(dir.resolve("saved_model.pb"))) {
      model.writeTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Adds {@code nodes} to the graph of the first meta graph. */
  public static void addGraphNodes(Path dir, NodeDef... nodes) {
    SavedModel model = read(dir);
    MetaGraphDef.Builder meta = model.getMetaGraphs(0).toBuilder();
    meta.getGraphDefBuilder().addAllNode(List.of(nodes));
    write(dir, model.toBuilder().setMetaGraphs(0, meta).build());
  }

  /**
   * Adds {@code nodes} to every library function whose name {@code functions} accepts; the last
   * node becomes a control output, so it runs whenever the function runs (as tf.function does
   * with stateful ops).
   *
   * @return how many functions were changed
   */
  public static int addToFunctions(Path dir, Predicate<String> functions, NodeDef... nodes) {
    SavedModel model = read(dir);
    MetaGraphDef.Builder meta = model.getMetaGraphs(0).toBuilder();
    var library = meta.getGraphDefBuilder().getLibraryBuilder();
    int changed = 0;
    for (int i = 0; i < library.getFunctionCount(); i++) {
      FunctionDef function = library.getFunction(i);
      if (!functions.test(function.getSignature().getName())) {
        continue;
      }
      String last = nodes[nodes.length - 1].getName();
      FunctionDef.Builder edited = function.toBuilder().addAllNodeDef(List.of(nodes))
          .putControlRet(last, last);
      edited.getSignatureBuilder().addControlOutput(last);
      library.setFunction(i, edited);
      changed++;
    }
    write(dir, model.toBuilder().setMetaGraphs(0, meta).build());
    return changed;
  }

  /** Makes {@code op} the SavedModel's init op, which TensorFlow's loader runs at load. */
  public static void setInitOp(Path dir, String op) {
    SavedModel model = read(dir);
    MetaGraphDef.Builder meta = model.getMetaGraphs(0).toBuilder();
    var init = meta.getSignatureDefOrThrow("__saved_model_init_op").toBuilder()
        .putOutputs("__saved_model_init_op", TensorInfo.newBuilder().setName(op).build());
    meta.putSignatureDef("__saved_model_init_op", init.build());
    write(dir, model.toBuilder().setMetaGraphs(0, meta).build());
  }

  public static NodeDef node(String name, String op, String... inputs) {
    return NodeDef.newBuilder().setName(name).setOp(op).addAllInput(List.of(inputs)).build();
  }

  /** A scalar string {@code Const}. */
  public static NodeDef stringConst(String name, String value) {
    return NodeDef.newBuilder().setName(name).setOp("Const")
        .putAttr("dtype", AttrValue.newBuilder().setType(DataType.DT_STRING).build())
        .putAttr("value", AttrValue.newBuilder().setTensor(TensorProto.newBuilder()
            .setDtype(DataType.DT_STRING).addStringVal(ByteString.copyFromUtf8(value))).build())
        .build();
  }

  /**
   * The nodes of {@code tf.io.write_file(path, contents)} inside a function body (references
   * {@code node:output:0}): two constants and the write.
   */
  public static NodeDef[] writeFileInFunction(String prefix, Path path, String contents) {
    return new NodeDef[] {stringConst(prefix + "_path", path.toString()),
        stringConst(prefix + "_contents", contents),
        node(prefix + "_write", "WriteFile", prefix + "_path:output:0",
            prefix + "_contents:output:0")};
  }
}
