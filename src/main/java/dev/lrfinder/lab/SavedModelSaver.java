package dev.lrfinder.lab;

import dev.lrfinder.data.DType;
import dev.lrfinder.data.HostArray;
import dev.lrfinder.io.IoErrors;
import dev.lrfinder.model.ModelException;
import dev.lrfinder.model.ModelSnapshot;
import dev.lrfinder.model.TrainableModel;
import dev.lrfinder.runtime.CheckpointIndex;
import dev.lrfinder.runtime.SavedModelDirectory;
import dev.lrfinder.runtime.Tensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.train.Restore;
import org.tensorflow.proto.BundleEntryProto;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * Writes a trained model as a new SavedModel of the same kind as the one it was loaded from: a
 * copy of the source directory (graph, assets, metadata, fingerprint) whose checkpoint
 * {@code variables/variables} holds the model's current values under the source checkpoint's own
 * keys, so that TensorFlow, Keras and lrfinder load it as they load the source. Which key belongs
 * to which variable is read from the SavedModel's own restore function (its saver's
 * {@code RestoreV2} and the {@code AssignVariableOp} each restored tensor feeds); keys that name no
 * variable of the model (the object graph, copies the loaded graph never initializes) keep the
 * source's values, bit for bit.
 *
 * <p>The directory is written in a hidden sibling {@code .<name>.partial-<random>} and renamed
 * into place when complete: the target must not exist (or be an empty directory), a failure
 * leaves nothing behind, and the source is only read.
 */
public final class SavedModelSaver {
  private static final String SERVE = "serve";

  private SavedModelSaver() {}

  /**
   * Copies {@code source} to {@code target} with {@code model}'s current variables.
   *
   * @param model the model loaded from {@code source}, trained
   * @return the number of checkpoint entries whose values training changed
   * @throws IllegalArgumentException when {@code target} exists and is not an empty directory, or
   *     lies inside {@code source}
   * @throws ModelException when the source's saver cannot be read
   * @throws UncheckedIOException when the copy fails (nothing is left behind)
   */
  public static int save(TrainableModel model, Path source, Path target) {
    Path from = source.toAbsolutePath().normalize();
    Path to = target.toAbsolutePath().normalize();
    checkTarget(from, to);
    MetaGraphDef meta = SavedModelDirectory.metaGraph(from, SERVE);
    Map<String, String> variableOfKey = variableOfKey(meta);
    Path prefix = from.resolve(SavedModelDirectory.VARIABLES_PREFIX);
    CheckpointIndex index = CheckpointIndex.read(CheckpointIndex.indexFile(prefix)).orElseThrow(
        () -> new ModelException("the checkpoint of '" + from + "' is compressed; lrfinder"
            + " cannot rewrite it"));
    ModelSnapshot.InMemory snapshot = (ModelSnapshot.InMemory) model.snapshot();
    Map<String, HostArray> values = new HashMap<>();
    for (int i = 0; i < snapshot.variableNames().size(); i++) {
      values.put(snapshot.variableNames().get(i), snapshot.values().get(i));
    }
    Path parent = to.getParent();
    Path staging;
    try {
      Files.createDirectories(parent);
      staging = parent.resolve("." + to.getFileName() + ".partial-"
          + UUID.randomUUID().toString().substring(0, 8));
      Files.createDirectory(staging);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot write the model to '" + to + "': "
          + IoErrors.reason(e));
    }
    try {
      copyTree(from, staging);
      Files.createDirectories(staging.resolve("variables"));
      int trained = writeCheckpoint(index, variableOfKey, twinGroupOfKey(meta), values, prefix,
          staging.resolve(SavedModelDirectory.VARIABLES_PREFIX));
      if (Files.isDirectory(to, LinkOption.NOFOLLOW_LINKS)) {
        Files.delete(to); // empty, as checked
      }
      try {
        Files.move(staging, to, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(staging, to);
      }
      return trained;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the model to '" + to + "': "
          + IoErrors.reason(e), e);
    } finally {
      deleteTree(staging);
    }
  }

  /**
   * Checks before training that {@code source} can be saved again: its saver has a TF2 restore
   * function lrfinder can read and its checkpoint index is uncompressed.
   *
   * @throws ModelException saying why not
   */
  public static void requireSavable(Path source) {
    Path from = source.toAbsolutePath().normalize();
    variableOfKey(SavedModelDirectory.metaGraph(from, SERVE));
    CheckpointIndex.read(CheckpointIndex.indexFile(from.resolve(
        SavedModelDirectory.VARIABLES_PREFIX))).orElseThrow(() -> new ModelException(
            "the checkpoint of '" + from + "' is compressed; lrfinder cannot rewrite it"));
  }

  /**
   * Refuses a target inside the source, or one that holds anything.
   *
   * @throws IllegalArgumentException saying why
   */
  public static void checkTarget(Path source, Path target) {
    Path from = real(source);
    Path to = real(target);
    if (to.startsWith(from) || from.startsWith(to)) {
      throw new IllegalArgumentException("--save '" + target + "' overlaps the model directory '"
          + source + "'; name a new directory outside it");
    }
    if (Files.exists(to, LinkOption.NOFOLLOW_LINKS)) {
      boolean empty = false;
      if (Files.isDirectory(to, LinkOption.NOFOLLOW_LINKS)) {
        try (Stream<Path> entries = Files.list(to)) {
          empty = entries.findAny().isEmpty();
        } catch (IOException e) {
          empty = false;
        }
      }
      if (!empty) {
        throw new IllegalArgumentException("--save '" + target + "' already exists; lrfinder"
            + " never overwrites a model, so name a new directory");
      }
    }
  }

  private static Path real(Path path) {
    Path existing = path.toAbsolutePath().normalize();
    List<Path> missing = new ArrayList<>();
    while (existing.getParent() != null && !Files.exists(existing)) {
      missing.add(0, existing.getFileName());
      existing = existing.getParent();
    }
    try {
      existing = existing.toRealPath();
    } catch (IOException e) {
      // keep the normalized path
    }
    for (Path name : missing) {
      existing = existing.resolve(name);
    }
    return existing;
  }

  /**
   * The variable each checkpoint key restores, keyed as the model's snapshots name variables
   * ({@code container:shared_name}, or the handle op's name): read from the restore function the
   * SavedModel's {@code saver_def} names (a TF2 SavedModel: a call node whose inputs after the
   * file name are the variables' handles).
   */
  static Map<String, String> variableOfKey(MetaGraphDef meta) {
    Map<String, NodeDef> graph = new HashMap<>();
    meta.getGraphDef().getNodeList().forEach(n -> graph.put(n.getName(), n));
    Map<String, FunctionDef> functions = new HashMap<>();
    meta.getGraphDef().getLibrary().getFunctionList()
        .forEach(f -> functions.put(f.getSignature().getName(), f));
    NodeDef restore = graph.get(nodeName(meta.getSaverDef().getRestoreOpName()));
    if (restore == null || !restore.containsAttr("f")
        || !functions.containsKey(restore.getAttrOrThrow("f").getFunc().getName())) {
      throw new ModelException("the SavedModel has no TF2 restore function; lrfinder can only"
          + " save models written by tf.saved_model.save (Keras 2 and exported models)");
    }
    FunctionDef function = functions.get(restore.getAttrOrThrow("f").getFunc().getName());
    List<String> callInputs = restore.getInputList().stream().filter(i -> !i.startsWith("^"))
        .toList();
    Map<String, String> handleOfArg = new HashMap<>();
    for (int i = 0; i < function.getSignature().getInputArgCount(); i++) {
      NodeDef handle = graph.get(nodeName(callInputs.get(i)));
      if (handle != null && handle.getOp().equals("VarHandleOp")) {
        handleOfArg.put(function.getSignature().getInputArg(i).getName(), storeName(handle));
      }
    }
    Map<String, NodeDef> body = new HashMap<>();
    function.getNodeDefList().forEach(n -> body.put(n.getName(), n));
    Map<String, String> variableOfKey = new LinkedHashMap<>();
    for (NodeDef node : function.getNodeDefList()) {
      if (!node.getOp().equals("AssignVariableOp") || node.getInputCount() < 2) {
        continue;
      }
      String variable = handleOfArg.get(nodeName(node.getInput(0)));
      String value = node.getInput(1);
      // Through Identity nodes back to RestoreV2:tensors:k.
      while (body.containsKey(nodeName(value))
          && body.get(nodeName(value)).getOp().equals("Identity")) {
        value = body.get(nodeName(value)).getInput(0);
      }
      NodeDef restoreV2 = body.get(nodeName(value));
      if (variable == null || restoreV2 == null || !restoreV2.getOp().equals("RestoreV2")) {
        continue;
      }
      String[] parts = value.split(":");
      int k = parts.length == 3 ? Integer.parseInt(parts[2]) : 0;
      NodeDef names = body.get(nodeName(restoreV2.getInput(1)));
      if (names == null || !names.getOp().equals("Const")) {
        continue;
      }
      variableOfKey.put(names.getAttrOrThrow("value").getTensor().getStringVal(k)
          .toStringUtf8(), variable);
    }
    return variableOfKey;
  }

  /** The node of a tensor or input name ({@code name}, {@code name:0}, {@code name:out:0}). */
  private static String nodeName(String input) {
    String name = input.startsWith("^") ? input.substring(1) : input;
    int colon = name.indexOf(':');
    return colon < 0 ? name : name.substring(0, colon);
  }

  /** The name {@code VariableStore} gives the variable of a handle op. */
  private static String storeName(NodeDef handle) {
    String shared = handle.containsAttr("shared_name")
        ? handle.getAttrOrThrow("shared_name").getS().toStringUtf8() : "";
    String container = handle.containsAttr("container")
        ? handle.getAttrOrThrow("container").getS().toStringUtf8() : "";
    return (container.isEmpty() ? "" : container + ":") + (shared.isEmpty() ? handle.getName()
        : shared);
  }

  /**
   * The checkpoint keys of the object graph's variables, grouped by the variable they save: a
   * SavedVariable's name, dtype and shape. Keras 3 exports save each weight twice (the Keras
   * variable and the {@code tf.Variable} inside it, e.g. {@code variables/0} and
   * {@code _all_variables/0}); the graph the Java session loads trains one of the twins while
   * Python's {@code tf.saved_model.load} binds its functions to the other, so both must take the
   * trained value. A key's path is the object graph's breadth-first path to it, as TensorFlow's
   * checkpoint names keys ({@code /} in a name escaped as {@code .S}, {@code .} as {@code ..}).
   */
  static Map<String, String> twinGroupOfKey(MetaGraphDef meta) {
    var graph = meta.getObjectGraphDef();
    Map<String, String> group = new HashMap<>();
    if (graph.getNodesCount() == 0) {
      return group;
    }
    Map<Integer, String> path = new HashMap<>();
    java.util.ArrayDeque<Integer> queue = new java.util.ArrayDeque<>();
    path.put(0, "");
    queue.add(0);
    while (!queue.isEmpty()) {
      int id = queue.poll();
      for (var child : graph.getNodes(id).getChildrenList()) {
        if (!path.containsKey(child.getNodeId())) {
          String name = child.getLocalName().replace(".", "..").replace("/", ".S");
          path.put(child.getNodeId(), path.get(id).isEmpty() ? name : path.get(id) + "/" + name);
          queue.add(child.getNodeId());
        }
      }
    }
    path.forEach((id, p) -> {
      var node = graph.getNodes(id);
      if (node.hasVariable()) {
        var variable = node.getVariable();
        group.put(p + "/.ATTRIBUTES/VARIABLE_VALUE", variable.getName() + "|"
            + variable.getDtype() + "|" + variable.getShape().getDimList().stream()
            .map(d -> Long.toString(d.getSize())).toList());
      }
    });
    return group;
  }

  /**
   * Writes the checkpoint at {@code target}: every key of {@code index}, each with the value of
   * the model's variable it restores, or, for twins (see {@link #twinGroupOfKey}), the value of
   * the twin that training changed; keys of no variable keep the source's value. Returns how
   * many keys took values that differ from the source's.
   */
  @SuppressWarnings("unchecked")
  private static int writeCheckpoint(CheckpointIndex index, Map<String, String> variableOfKey,
      Map<String, String> twinGroup, Map<String, HostArray> values, Path sourcePrefix,
      Path target) {
    List<String> keys = index.entries().keySet().stream().filter(k -> !k.isEmpty()).toList();
    List<Class<? extends TType>> types = new ArrayList<>();
    for (String key : keys) {
      BundleEntryProto entry = index.entries().get(key);
      types.add(Tensors.typeClass(Tensors.dtypeOf(entry.getDtype()).orElseThrow(
          () -> new ModelException("checkpoint entry '" + key + "' has unsupported type "
              + entry.getDtype()))));
    }
    List<Tensor> fed = new ArrayList<>();
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      Placeholder<TString> from = tf.placeholder(TString.class);
      Placeholder<TString> to = tf.placeholder(TString.class);
      Restore restored = tf.train.restore(from, strings(tf, keys), empty(tf, keys.size()), types);
      // The source's values, to tell which twin training changed.
      Map<String, HostArray> source = new HashMap<>();
      try (TString fromName = TString.scalarOf(sourcePrefix.toString())) {
        Session.Runner runner = session.runner().feed(from, fromName);
        List<Integer> fetched = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
          if (types.get(i) != TString.class) {
            runner.fetch(restored.tensors().get(i));
            fetched.add(i);
          }
        }
        try (org.tensorflow.Result result = runner.run()) {
          for (int j = 0; j < fetched.size(); j++) {
            source.put(keys.get(fetched.get(j)), Tensors.toHost(result.get(j)));
          }
        }
      }
      Map<String, HostArray> chosen = new HashMap<>();
      for (String key : keys) {
        HostArray value = values.get(variableOfKey.getOrDefault(key, ""));
        if (value != null && source.containsKey(key)) {
          chosen.put(key, value);
        }
      }
      Map<String, HostArray> changedOfGroup = new HashMap<>();
      for (String key : keys) {
        String group = twinGroup.get(key);
        HostArray value = chosen.get(key);
        if (group != null && value != null && !value.equals(source.get(key))) {
          HostArray other = changedOfGroup.putIfAbsent(group, value);
          if (other != null && !other.equals(value)) {
            throw new ModelException("checkpoint entries of variable '" + group.split("\\|")[0]
                + "' took different values in training; lrfinder cannot tell which to save");
          }
        }
      }
      for (String key : keys) {
        String group = twinGroup.get(key);
        if (group != null && changedOfGroup.containsKey(group)) {
          chosen.put(key, changedOfGroup.get(group));
        }
      }
      Session.Runner runner = session.runner();
      List<Operand<?>> ordered = new ArrayList<>();
      int changed = 0;
      for (int i = 0; i < keys.size(); i++) {
        HostArray value = chosen.get(keys.get(i));
        if (value == null) {
          ordered.add(restored.tensors().get(i));
          continue;
        }
        Placeholder<?> feed = tf.placeholder(Tensors.typeClass(value.dtype()));
        Tensor tensor = Tensors.toTensor(value);
        fed.add(tensor);
        runner.feed(feed, tensor);
        ordered.add(feed);
        if (!value.equals(source.get(keys.get(i)))) {
          changed++;
        }
      }
      Op save = tf.train.save(to, strings(tf, keys), empty(tf, keys.size()), ordered);
      try (TString fromName = TString.scalarOf(sourcePrefix.toString());
          TString toName = TString.scalarOf(target.toString())) {
        runner.feed(from, fromName).feed(to, toName).addTarget(save).run().close();
      }
      return changed;
    } finally {
      fed.forEach(Tensor::close);
    }
  }

  private static Operand<TString> strings(Ops tf, List<String> values) {
    return tf.constant(StandardCharsets.UTF_8, values.toArray(String[]::new));
  }

  private static Operand<TString> empty(Ops tf, int count) {
    String[] blanks = new String[count];
    java.util.Arrays.fill(blanks, "");
    return tf.constant(StandardCharsets.UTF_8, blanks);
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path path : paths.toList()) {
        Path relative = from.relativize(path);
        if (relative.startsWith("variables")) {
          continue; // written anew
        }
        Path copy = to.resolve(relative.toString());
        if (Files.isDirectory(path)) {
          Files.createDirectories(copy);
        } else {
          Files.copy(path, copy, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      // Best effort: the failure that brought us here matters more.
    }
  }
}
