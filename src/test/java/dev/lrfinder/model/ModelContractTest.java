package dev.lrfinder.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lrfinder.TestPaths;
import dev.lrfinder.data.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelContractTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The two-output contract of docs/contract.md (v2), as scripts/export.py writes it. */
  private static ObjectNode twoOutputs() throws IOException {
    return (ObjectNode) JSON.readTree("""
        {"contract_version": 2, "model_name": "people", "source": "people.h5",
         "keras_library": "tf_keras 2.18.0", "parameter_count": 58,
         "trainable_parameter_count": 58,
         "inputs": [{"name": "x_user_id", "key": "user id", "dtype": "int32", "shape": [null, 1]},
                    {"name": "x_city", "key": "city", "dtype": "string", "shape": [null, 1]}],
         "outputs": [
           {"key": "age", "shape": [null, 1],
            "label": {"name": "y_age", "dtype": "float32", "shape": [null, 1]},
            "loss": {"name": "mean_squared_error", "config": {}}, "loss_weight": 1.0,
            "metrics": ["age_mae"]},
           {"key": "kind", "shape": [null, 3],
            "label": {"name": "y_kind", "dtype": "int32", "shape": [null]},
            "loss": {"name": "sparse_categorical_crossentropy", "config": {"from_logits": false}},
            "loss_weight": 0.5, "metrics": ["kind_accuracy"]}],
         "metrics": ["age_mae", "kind_accuracy"],
         "notes": ["metric 'auc' is left out: it keeps state between batches"],
         "optimizers": [{"key": "adam", "class_name": "Adam", "config": {"beta_1": 0.9},
                         "initial_learning_rate": 0.001}],
         "evaluate_signature": "evaluate", "tensorflow_version": "2.18.1",
         "keras_version": "2.18.0"}
        """);
  }

  @Test
  void readsEveryInputAndOutputOfAVersion2Contract() throws IOException {
    ModelContract c = ModelContract.parse(twoOutputs());

    assertEquals(2, c.contractVersion());
    assertEquals("tf_keras 2.18.0", c.kerasLibrary());
    assertEquals(List.of("metric 'auc' is left out: it keeps state between batches"), c.notes());
    assertEquals(List.of("x_user_id", "x_city"), c.inputs().stream().map(TensorSpec::name).toList());
    assertEquals(List.of("user id", "city"), c.inputs().stream().map(TensorSpec::key).toList());
    assertEquals(DType.STRING, c.inputs().get(1).dtype());
    OutputSpec age = c.outputs().get(0);
    OutputSpec kind = c.outputs().get(1);
    assertEquals("age", age.key());
    assertEquals("y_age", age.label().name());
    assertEquals(1.0, age.lossWeight());
    assertEquals(List.of("age_mae"), age.metrics());
    assertEquals("age_loss", age.lossOutputName());
    assertEquals(0.5, kind.lossWeight());
    assertEquals(Map.of("from_logits", false), kind.lossConfig());
    assertArrayEquals(new long[] {-1, 3}, kind.shape());
    // The class count comes from the output's shape.
    assertEquals(new LabelValues(LabelValues.Kind.CLASS_IDS, 3, "sparse_categorical_crossentropy"),
        kind.label().values());
    assertTrue(c.hasSeveralOutputs());
    assertEquals("total loss: 1 \u00d7 mean_squared_error (age) + 0.5 \u00d7"
        + " sparse_categorical_crossentropy (kind)", c.loss());
    assertThrows(IllegalStateException.class, c::input);
    assertThrows(IllegalStateException.class, c::label);
  }

  @Test
  void aVersion2ContractOfOneInputAndOutputHasTheOldAccessors() throws IOException {
    ObjectNode root = twoOutputs();
    ((ArrayNode) root.get("inputs")).remove(1);
    ((ArrayNode) root.get("outputs")).remove(1);

    ModelContract c = ModelContract.parse(root);

    assertEquals("x_user_id", c.input().name());
    assertEquals("y_age", c.label().name());
    assertEquals("mean_squared_error", c.loss());
    assertFalse(c.hasSeveralOutputs());
  }

  @Test
  void theBundledVersion1ExportsStillRead() {
    ModelContract c = ModelContract.read(TestPaths.model("blobs_mlp"));

    assertEquals(1, c.contractVersion());
    assertEquals("x", c.input().name());
    assertEquals("x", c.input().key());
    assertEquals("y", c.label().name());
    assertEquals("sparse_categorical_crossentropy", c.loss());
    assertEquals(1, c.outputs().size());
    assertEquals(1.0, c.output().lossWeight());
    assertEquals(List.of(), c.notes());
    assertEquals("", c.kerasLibrary());
  }

  @Test
  void sanitizeLowersAndReplacesWhatASignatureNameCannotHold() {
    assertEquals("user_id", ModelContract.sanitize("User ID"));
    assertEquals("z_rich_2", ModelContract.sanitize("Z\u00fcrich-2"));
  }

  private static String refused(Consumer<ObjectNode> damage) throws IOException {
    ObjectNode root = twoOutputs();
    damage.accept(root);
    return assertThrows(IllegalArgumentException.class, () -> ModelContract.parse(root))
        .getMessage();
  }

  private static ObjectNode output(ObjectNode root, int i) {
    return (ObjectNode) root.get("outputs").get(i);
  }

  @Test
  void badVersion2MetadataIsRefusedNamingTheField() throws IOException {
    assertEquals("field 'inputs' is missing", refused(r -> r.remove("inputs")));
    assertEquals("field 'outputs' is not a non-empty list",
        refused(r -> r.putArray("outputs")));
    assertEquals("field 'key' is missing",
        refused(r -> ((ObjectNode) r.get("inputs").get(0)).remove("key")));
    assertEquals("input key 'city' is listed twice",
        refused(r -> ((ObjectNode) r.get("inputs").get(0)).put("key", "city")));
    assertEquals("input name 'x_city' is listed twice",
        refused(r -> ((ObjectNode) r.get("inputs").get(0)).put("name", "x_city")));
    assertEquals("output key 'age' is listed twice", refused(r -> output(r, 1).put("key", "age")));
    assertEquals("label name 'y_age' is listed twice",
        refused(r -> ((ObjectNode) output(r, 1).get("label")).put("name", "y_age")));
    assertEquals("the loss_weight of output 'kind' is -1.0; it must be a finite number >= 0",
        refused(r -> output(r, 1).put("loss_weight", -1.0)));
    assertEquals("the loss_weight of output 'kind' is \"half\"; it must be a finite number >= 0",
        refused(r -> output(r, 1).put("loss_weight", "half")));
    assertEquals("the label of output 'kind' is a string; labels are numbers",
        refused(r -> ((ObjectNode) output(r, 1).get("label")).put("dtype", "string")));
    assertEquals("field 'name' is missing",
        refused(r -> ((ObjectNode) output(r, 0).get("loss")).remove("name")));
    assertEquals("the shape of output 'age' has dimension -2; each must be a size >= 0 or null",
        refused(r -> ((ArrayNode) output(r, 0).get("shape")).set(1, -2)));
    assertEquals("an entry of 'notes' is not a string", refused(r -> r.putArray("notes").add(3)));
    assertEquals("field 'metrics' is not a list", refused(r -> output(r, 0).put("metrics", "mae")));
    assertEquals("dtype 'complex64' is not supported",
        refused(r -> ((ObjectNode) r.get("inputs").get(1)).put("dtype", "complex64")));
    assertEquals("contract version 3 is not supported (this lrfinder reads versions 1 to 2)",
        refused(r -> r.put("contract_version", 3)));
  }

  @Test
  void aDefaultLossWeightIsOne() throws IOException {
    ObjectNode root = twoOutputs();
    output(root, 1).remove("loss_weight");

    assertEquals(1.0, ModelContract.parse(root).outputs().get(1).lossWeight());
  }

  @Test
  void readNamesTheFileOfABadContract(@TempDir Path dir) throws IOException {
    Files.createDirectories(dir.resolve("assets"));
    ObjectNode root = twoOutputs();
    root.remove("outputs");
    Files.writeString(dir.resolve(ModelContract.METADATA_PATH), root.toString());

    ModelException e = assertThrows(ModelException.class, () -> ModelContract.read(dir));

    assertEquals("'" + dir.resolve(ModelContract.METADATA_PATH) + "' is not a valid lrfinder"
        + " contract: field 'outputs' is missing", e.getMessage());
  }
}
