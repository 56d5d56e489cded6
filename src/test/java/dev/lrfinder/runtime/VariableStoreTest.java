package dev.lrfinder.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lrfinder.BuiltFixtures;
import dev.lrfinder.TestPaths;
import dev.lrfinder.direct.DirectModel;
import dev.lrfinder.direct.DirectOptions;
import dev.lrfinder.direct.KerasLoss;
import dev.lrfinder.exported.ExportedModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.core.VarHandleOp;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

/**
 * The variables a store covers do not depend on whether the caller named them up front: the
 * handles a SavedModel's restore op fills are exactly those initialized after loading, on the
 * bundled models and every exported compatibility fixture; a wrong guess is corrected by the check.
 */
class VariableStoreTest {

  @Test
  void theRestoreOpFillsExactlyTheInitializedVariablesOfEveryExport() throws IOException {
    List<Path> exports = new ArrayList<>(List.of(TestPaths.model("blobs_mlp"),
        TestPaths.model("mnist_cnn")));
    BuiltFixtures.COMPAT.dir().ifPresent(dir -> exports.addAll(savedModelsUnder(
        dir.resolve("exports"))));
    int checked = 0;
    for (Path export : exports) {
      try (SavedModelBundle bundle = SavedModelBundle.loader(export.toString())
          .withTags(SavedModelBundle.DEFAULT_TAG).withConfigProto(ConfigProto.getDefaultInstance())
          .load()) {
        String restoreOp = SavedModelDirectory.metaGraph(export, SavedModelBundle.DEFAULT_TAG)
            .getSaverDef().getRestoreOpName();
        Set<String> restored = VariableStore.restoredBy(bundle.graph(), restoreOp);
        assertFalse(restored.isEmpty(), export + ": no handle found for " + restoreOp);
        VariableStore guessed = VariableStore.create(bundle.graph(), bundle.session(), restored);
        VariableStore queried = VariableStore.create(bundle.graph(), bundle.session());
        assertEquals(queried.names(), guessed.names(), export.toString());
        // The guess itself is right (the check would hide a wrong one): compare by shared name.
        Set<String> restoredNames = new java.util.TreeSet<>();
        restored.forEach(op -> restoredNames.add(bundle.graph().operation(op).attributes()
            .getAttrValueProto("shared_name").getS().toStringUtf8()));
        assertEquals(new java.util.TreeSet<>(queried.names()), restoredNames, export.toString());
        checked++;
      }
    }
    assertTrue(checked >= 2, "checked " + checked);
  }

  /**
   * Both loaders name the filled variables right, so their stores' ops go in with the check's
   * (no extension): the exported path on the bundled models and every compatibility fixture,
   * the direct path on the Keras 2 fixtures and bundled models (optimizer slots included).
   */
  @Test
  void bothLoadersPrepareTheirStoresUpFront() {
    List<Path> exported = new ArrayList<>(List.of(TestPaths.model("blobs_mlp"),
        TestPaths.model("mnist_cnn")));
    BuiltFixtures.COMPAT.dir().ifPresent(dir -> exported.addAll(savedModelsUnder(
        dir.resolve("exports"))));
    for (Path export : exported) {
      try (ExportedModel model = ExportedModel.load(export)) {
        assertTrue(model.variables().preparedUpFront(), export.toString());
      }
    }
    List<Path> direct = new ArrayList<>(List.of(TestPaths.model("keras2/blobs_mlp"),
        TestPaths.model("keras2/mnist_cnn")));
    direct.addAll(savedModelsUnder(TestPaths.fixture("keras2")));
    for (Path savedModel : direct) {
      // (one fixture was saved without compile(): it takes the loss from the command line)
      DirectOptions options = savedModel.toString().contains("uncompiled")
          ? new DirectOptions(Optional.of(KerasLoss.parse("mse")), List.of())
          : DirectOptions.defaults();
      try (DirectModel model = DirectModel.load(savedModel, options)) {
        assertTrue(model.variables().preparedUpFront(), savedModel.toString());
      }
    }
  }

  @Test
  void aWrongGuessIsCorrectedByTheCheck() {
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      VarHandleOp a = tf.withName("a").varHandleOp(TFloat32.class, Shape.scalar(),
          VarHandleOp.sharedName("a"));
      VarHandleOp b = tf.withName("b").varHandleOp(TFloat32.class, Shape.scalar(),
          VarHandleOp.sharedName("b"));
      var init = tf.assignVariableOp(a, tf.constant(1f));
      session.runner().addTarget(init).run().close(); // b stays uninitialized
      // A TF1 saver's restore_all: a NoOp waiting on one assign per variable.
      var assignA = tf.assignVariableOp(a, tf.constant(3f));
      var assignB = tf.assignVariableOp(b, tf.constant(4f));
      tf.withName("restore_all").withControlDependencies(List.of(assignA, assignB)).noOp();
      String handleA = a.op().name();
      String handleB = b.op().name();
      assertEquals(Set.of(handleA, handleB),
          VariableStore.restoredBy(graph, "restore_all"));
      assertEquals(Set.of(), VariableStore.restoredBy(graph, "no_such_op"));

      VariableStore tooMany = VariableStore.create(graph, session,
          new LinkedHashSet<>(List.of(handleA, handleB)));
      assertEquals(List.of(handleA), tooMany.names());
      assertFalse(tooMany.preparedUpFront());
      VariableStore tooFew = VariableStore.create(graph, session, Set.of(handleB));
      assertEquals(List.of(handleA), tooFew.names());
      assertFalse(tooFew.preparedUpFront());
      assertTrue(VariableStore.create(graph, session, Set.of(handleA)).preparedUpFront());
      assertEquals(1.0, tooFew.read().values().get(0).getDouble(0));
    }
  }

  private static List<Path> savedModelsUnder(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(p -> p.getFileName().toString().equals("saved_model.pb"))
          .map(Path::getParent).sorted().toList();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
