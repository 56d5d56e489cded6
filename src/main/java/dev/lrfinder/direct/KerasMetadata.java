package dev.lrfinder.direct;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import dev.lrfinder.model.ModelException;
import dev.lrfinder.model.ModelFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SavedObjectGraphOuterClass.SavedObject;
import org.tensorflow.proto.SavedObjectGraphOuterClass.SavedUserObject;

/**
 * What tf_keras (Keras 2) writes to {@code keras_metadata.pb} beside a SavedModel: the root
 * model's metadata JSON (its config and, when compiled, its {@code training_config}), the class
 * names of its layers (nested models included; metric nodes not) and the regularizers that add
 * loss terms (the direct path adds the weight regularizers and refuses activity regularization). The file is a {@code SavedMetadata} proto: {@code repeated SavedObject nodes = 1},
 * each node {@code string node_path = 3; string identifier = 4; string metadata = 5} (JSON).
 *
 * @param root the metadata JSON of the node at path {@code root} (the model)
 * @param layerClasses the distinct class names of the other nodes, in file order
 * @param weightRegularizers the regularizers set on weights ({@code kernel_regularizer},
 *     {@code bias_regularizer}, ...), which add a loss term per weight
 * @param activityRegularized names of layers that regularize their outputs (activity
 *     regularizers, ActivityRegularization), a loss the direct path does not build
 */
public record KerasMetadata(JsonNode root, List<String> layerClasses,
    List<WeightRegularizer> weightRegularizers, List<String> activityRegularized) {
  public static final String FILE = "keras_metadata.pb";
  /** The identifier of compiled-metric nodes, which are not layers. */
  private static final String METRIC = "_tf_keras_metric";
  /** The prefix of every Keras object's identifier ({@code _tf_keras_model}, {@code _tf_keras_layer}...). */
  private static final String KERAS_IDENTIFIER = "_tf_keras";

  public KerasMetadata {
    layerClasses = List.copyOf(layerClasses);
    weightRegularizers = List.copyOf(weightRegularizers);
    activityRegularized = List.copyOf(activityRegularized);
  }

  /**
   * One {@code <weight>_regularizer} of a layer, e.g. layer {@code dense}, weight {@code kernel},
   * {@code {"class_name": "L2", "config": {"l2": 0.01}}}.
   */
  public record WeightRegularizer(String layer, String weight, JsonNode serialized) {}

  /**
   * The Keras metadata of a SavedModel: {@code <savedModelDir>/keras_metadata.pb}, or, for a
   * SavedModel written before TF 2.5 (which had no such file), the same JSON that its object
   * graph keeps in each node's {@code user_object.metadata}; throws {@link ModelException}.
   */
  public static KerasMetadata read(Path savedModelDir, SavedModel saved) {
    if (Files.exists(savedModelDir.resolve(FILE), LinkOption.NOFOLLOW_LINKS)) {
      return read(savedModelDir);
    }
    Optional<KerasMetadata> inGraph;
    try {
      inGraph = inObjectGraph(saved);
    } catch (IllegalArgumentException e) {
      throw new ModelException("the Keras metadata in the object graph of '" + savedModelDir
          + "' is not valid: " + e.getMessage(), e);
    }
    return inGraph.orElseThrow(() -> new ModelException("'" + savedModelDir + "' has no " + FILE
        + " and no Keras metadata in its object graph: it is not a Keras 2 SavedModel"));
  }

  /**
   * The Keras metadata that SavedModels from before TF 2.5 keep in their object graph (node 0 is
   * the model), or empty when the root node carries none (a SavedModel of TF 2.5 or later, or one
   * not written by Keras).
   */
  public static Optional<KerasMetadata> inObjectGraph(SavedModel saved) {
    if (saved.getMetaGraphsCount() == 0 || !saved.getMetaGraphs(0).hasObjectGraphDef()) {
      return Optional.empty();
    }
    List<SavedObject> objects = saved.getMetaGraphs(0).getObjectGraphDef().getNodesList();
    if (objects.isEmpty() || objects.get(0).getUserObject().getMetadata().isEmpty()
        || !objects.get(0).getUserObject().getIdentifier().startsWith(KERAS_IDENTIFIER)) {
      return Optional.empty();
    }
    List<Node> nodes = new ArrayList<>();
    for (int i = 0; i < objects.size(); i++) {
      SavedUserObject user = objects.get(i).getUserObject();
      if (user.getIdentifier().startsWith(KERAS_IDENTIFIER)) {
        nodes.add(new Node(i == 0 ? "root" : "node-" + i, user.getIdentifier(),
            user.getMetadata()));
      }
    }
    return Optional.of(parse(nodes));
  }

  /** Reads {@code <savedModelDir>/keras_metadata.pb}; throws {@link ModelException}. */
  public static KerasMetadata read(Path savedModelDir) {
    Path file = savedModelDir.resolve(FILE);
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new ModelException("'" + savedModelDir + "' has no " + FILE
          + ": it is not a Keras 2 SavedModel");
    }
    ModelFiles.requireReadableFile(file, "the Keras metadata of the SavedModel", false);
    byte[] bytes = ModelFiles.readAll(file);
    try {
      return parse(bytes);
    } catch (IOException e) { // from the proto parser: the bytes are in memory
      throw new ModelException("'" + file + "' is not a valid Keras metadata file: it is"
          + " truncated or corrupt", e);
    } catch (IllegalArgumentException e) {
      throw new ModelException("'" + file + "' is not a valid Keras metadata file: "
          + e.getMessage(), e);
    }
  }

  /** Parses a keras_metadata.pb; throws IllegalArgumentException or IOException. */
  static KerasMetadata parse(byte[] bytes) throws IOException {
    return parse(nodes(bytes));
  }

  private static KerasMetadata parse(List<Node> nodes) {
    ObjectMapper mapper = new ObjectMapper();
    JsonNode root = null;
    Set<String> classes = new LinkedHashSet<>();
    List<WeightRegularizer> weights = new ArrayList<>();
    List<String> activity = new ArrayList<>();
    for (Node node : nodes) {
      JsonNode metadata = json(mapper, node.metadata());
      if (node.path().equals("root")) {
        root = metadata;
      } else if (node.identifier().equals(METRIC)) {
        continue;
      } else if (metadata != null && metadata.hasNonNull("class_name")) {
        String className = metadata.get("class_name").asText();
        classes.add(className);
        String layer = metadata.path("name").asText(node.path());
        if (className.equals("ActivityRegularization")) {
          activity.add(layer);
        }
        for (var it = metadata.path("config").fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> field = it.next();
          String key = field.getKey();
          if (!key.endsWith("_regularizer") || field.getValue().isNull()) {
            continue;
          }
          if (key.equals("activity_regularizer")) {
            activity.add(layer);
          } else {
            weights.add(new WeightRegularizer(layer,
                key.substring(0, key.length() - "_regularizer".length()), field.getValue()));
          }
        }
      }
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("it has no metadata for the root node");
    }
    return new KerasMetadata(root, List.copyOf(classes), weights, activity);
  }

  /** The model's Keras class, for example {@code Sequential} or {@code Functional}. */
  public String modelClass() {
    return root.path("class_name").asText("");
  }

  /** The Keras version that saved the model, or "" when not recorded. */
  public String kerasVersion() {
    return root.path("keras_version").asText("");
  }

  /** What {@code compile} recorded (loss, metrics, optimizer_config); empty if never compiled. */
  public Optional<JsonNode> trainingConfig() {
    JsonNode config = root.get("training_config");
    return config == null || config.isNull() ? Optional.empty() : Optional.of(config);
  }

  /** Names of the layers that add a regularization loss: weight regularizers, then activity. */
  public List<String> regularizedLayers() {
    Set<String> layers = new LinkedHashSet<>();
    weightRegularizers.forEach(r -> layers.add(r.layer()));
    layers.addAll(activityRegularized);
    return List.copyOf(layers);
  }

  private static JsonNode json(ObjectMapper mapper, String text) {
    if (text.isEmpty()) {
      return null;
    }
    try {
      return mapper.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("a node's metadata is not JSON (" + e.getOriginalMessage()
          + ")");
    }
  }

  private record Node(String path, String identifier, String metadata) {}

  /** Every SavedObject, in file order; node_id and version are skipped. */
  private static List<Node> nodes(byte[] bytes) throws IOException {
    List<Node> nodes = new ArrayList<>();
    CodedInputStream in = CodedInputStream.newInstance(bytes);
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      if (WireFormat.getTagFieldNumber(tag) != 1) {
        in.skipField(tag);
        continue;
      }
      if (WireFormat.getTagWireType(tag) != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
        throw new IllegalArgumentException("its nodes field has the wrong wire type");
      }
      CodedInputStream node = CodedInputStream.newInstance(in.readByteArray());
      String path = "";
      String identifier = "";
      String metadata = "";
      for (int t = node.readTag(); t != 0; t = node.readTag()) {
        switch (WireFormat.getTagFieldNumber(t)) {
          case 3 -> path = node.readStringRequireUtf8();
          case 4 -> identifier = node.readStringRequireUtf8();
          case 5 -> metadata = node.readStringRequireUtf8();
          default -> node.skipField(t);
        }
      }
      nodes.add(new Node(path, identifier, metadata));
    }
    return nodes;
  }
}
