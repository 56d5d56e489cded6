package dev.lrfinder.direct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import dev.lrfinder.TestFiles;
import dev.lrfinder.TestPaths;
import dev.lrfinder.data.Batches;
import dev.lrfinder.data.Dataset;
import dev.lrfinder.loader.ModelLoader;
import dev.lrfinder.model.ModelException;
import dev.lrfinder.model.StepResult;
import dev.lrfinder.model.TrainingPath;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SavedObjectGraphOuterClass.SavedObject;
import org.tensorflow.proto.SavedObjectGraphOuterClass.SavedObjectGraph;

/**
 * SavedModels written before TF 2.5 have no keras_metadata.pb: each object of the object graph
 * keeps its Keras metadata JSON in {@code user_object.metadata}. The fixture is made from a
 * modern tf.keras SavedModel by moving every node's metadata from keras_metadata.pb back into the
 * object graph, which is the older layout (TF 2.5 moved it out, nothing else changed).
 */
class PreTf25SavedModelTest {
  private static final Path MODERN = TestPaths.model("keras2/blobs_mlp");

  @TempDir
  Path tmp;

  @Test
  void trainsExactlyAsTheSameModelWithItsMetadataFile() throws IOException {
    Path old = olderLayout(tmp.resolve("blobs_mlp_tf24"));
    ModelLoader.Choice choice = ModelLoader.choose(old);
    assertEquals(TrainingPath.Kind.DIRECT, choice.kind());
    assertTrue(choice.reason().contains("before TensorFlow 2.5"), choice.reason());

    Dataset data = Dataset.load(TestPaths.model("keras2/blobs_mlp.npz"), "train", "label");
    List<StepResult> modern = steps(MODERN, data);
    List<StepResult> older = steps(old, data);
    // The same graph, weights and batches on this machine: bit-identical steps.
    assertEquals(modern, older);
    assertFalse(modern.get(0).equals(modern.get(2)), "the steps train");
  }

  @Test
  void aSavedModelWithNoKerasMetadataAnywhereIsStillRefused() throws IOException {
    Path plain = tmp.resolve("plain");
    TestFiles.copyTree(MODERN, plain);
    Files.delete(plain.resolve(KerasMetadata.FILE));
    ModelException refused = org.junit.jupiter.api.Assertions.assertThrows(ModelException.class,
        () -> ModelLoader.choose(plain));
    assertTrue(refused.getMessage().contains("neither lrfinder's training contract nor Keras 2"
        + " metadata"), refused.getMessage());
  }

  private static List<StepResult> steps(Path model, Dataset data) {
    try (DirectModel direct = DirectModel.load(model, DirectOptions.defaults())) {
      Batches batches = new Batches(data, 32, true, 0);
      List<StepResult> results = new ArrayList<>();
      for (int step = 0; step < 3; step++) {
        results.add(direct.trainStep("adam", batches.get(step)));
      }
      return results;
    }
  }

  /** A copy of the modern fixture in the pre-2.5 layout. */
  private static Path olderLayout(Path out) throws IOException {
    TestFiles.copyTree(MODERN, out);
    Path metadataFile = out.resolve(KerasMetadata.FILE);
    SavedModel saved = SavedModel.parseFrom(Files.readAllBytes(out.resolve("saved_model.pb")));
    SavedObjectGraph.Builder graph = saved.getMetaGraphs(0).getObjectGraphDef().toBuilder();
    int moved = 0;
    // keras_metadata.pb: SavedMetadata { repeated SavedObject nodes = 1 }, each with
    // int32 node_id = 2, string identifier = 4, string metadata = 5.
    CodedInputStream in = CodedInputStream.newInstance(Files.readAllBytes(metadataFile));
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      if (WireFormat.getTagFieldNumber(tag) != 1) {
        in.skipField(tag);
        continue;
      }
      CodedInputStream node = CodedInputStream.newInstance(in.readByteArray());
      int id = 0; // proto3 leaves a 0 (the root) unwritten
      String identifier = "";
      String metadata = "";
      for (int t = node.readTag(); t != 0; t = node.readTag()) {
        switch (WireFormat.getTagFieldNumber(t)) {
          case 2 -> id = node.readInt32();
          case 4 -> identifier = node.readStringRequireUtf8();
          case 5 -> metadata = node.readStringRequireUtf8();
          default -> node.skipField(t);
        }
      }
      SavedObject.Builder object = graph.getNodesBuilder(id);
      object.getUserObjectBuilder().setIdentifier(identifier).setMetadata(metadata);
      moved++;
    }
    assertTrue(moved > 1, "metadata nodes moved: " + moved);
    MetaGraphDef meta = saved.getMetaGraphs(0).toBuilder().setObjectGraphDef(graph).build();
    Files.write(out.resolve("saved_model.pb"),
        saved.toBuilder().setMetaGraphs(0, meta).build().toByteArray());
    Files.delete(metadataFile);
    return out;
  }
}
