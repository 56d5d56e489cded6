package dev.lrfinder.runtime;

import dev.lrfinder.data.DType;
import dev.lrfinder.data.HostArray;
import dev.lrfinder.model.ModelException;
import dev.lrfinder.model.ModelSnapshot;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.ReadVariableOp;
import org.tensorflow.op.train.Restore;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * Reads and writes every resource variable of a graph in one session call each way. Variables are
 * the graph's {@code VarHandleOp}s that hold a value once the model is loaded, counted once per
 * {@code (container, shared_name)} since two handles with the same shared name are the same
 * variable. (A TF2 SavedModel loaded as a graph also holds handles that nothing initializes: the
 * Keras-side copies of variables whose restored twins the functions use. They are skipped.)
 */
public final class VariableStore {
  private final Session session;
  private final List<String> names;
  private final List<Output> reads;
  private final List<Placeholder<?>> feeds;
  private final Op assignAll;
  private final Placeholder<TString> checkpointPrefix;
  private final Op saveAll;
  private final Op restoreAll;
  private final boolean preparedUpFront;

  /** A variable's read, and the type and shape its handle declares. */
  private record Output(ReadVariableOp<?> read, DType dtype, Shape declared) {}

  private VariableStore(Session session, List<String> names, List<Output> reads,
      List<Placeholder<?>> feeds, Op assignAll, Placeholder<TString> checkpointPrefix,
      Op saveAll, Op restoreAll, boolean preparedUpFront) {
    this.session = session;
    this.preparedUpFront = preparedUpFront;
    this.names = List.copyOf(names);
    this.reads = reads;
    this.feeds = feeds;
    this.assignAll = assignAll;
    this.checkpointPrefix = checkpointPrefix;
    this.saveAll = saveAll;
    this.restoreAll = restoreAll;
  }

  /**
   * Adds read, assign, save and restore ops for every variable of {@code graph} that is
   * initialized in {@code session} now (once per model, after every variable is initialized).
   */
  public static VariableStore create(Graph graph, Session session) {
    return create(graph, session, Set.of());
  }

  /**
   * As {@link #create(Graph, Session)}, with the variables expected to be initialized named up
   * front: the handles {@code expected} lists (op names; see {@link #restoredBy}). The ops of the
   * store are then added to the graph together with those of the check, so that TensorFlow
   * extends the session with lrfinder's ops once: each extension copies the whole graph and its
   * function library, 1.1-1.4 s on a ResNet50 export, where the runs themselves take milliseconds.
   * The check still runs: if other variables turn out initialized, the store is built for those
   * (correct, one extension more). An empty {@code expected} means unknown.
   */
  public static VariableStore create(Graph graph, Session session, Set<String> expected) {
    return prepare(graph, session, expected).check();
  }

  /**
   * The first half of {@link #create(Graph, Session, Set)}: adds the ops of the check and of the
   * store for {@code expected} and runs nothing, so that a caller can add these ops before the
   * session's first run (where the variables are not filled yet); {@link Prepared#check} is the
   * second half, once every variable is initialized.
   */
  public static Prepared prepare(Graph graph, Session session, Set<String> expected) {
    Map<String, GraphOperation> candidates = new LinkedHashMap<>();
    Map<String, String> keyOfOp = new LinkedHashMap<>();
    for (Iterator<GraphOperation> it = graph.operations(); it.hasNext(); ) {
      GraphOperation op = it.next();
      if (op.type().equals("VarHandleOp")) {
        String shared = stringAttr(op, "shared_name");
        String container = stringAttr(op, "container");
        String key = (container.isEmpty() ? "" : container + ":") + (shared.isEmpty() ? op.name() : shared);
        candidates.putIfAbsent(key, op);
        keyOfOp.put(op.name(), key);
      }
    }
    Ops tf = Ops.create(graph).withSubScope("lrfinder_variables");
    Map<String, Operand<TBool>> checks = initializationChecks(candidates, tf);
    Set<String> expectedKeys = new java.util.HashSet<>();
    expected.forEach(name -> {
      if (keyOfOp.containsKey(name)) {
        expectedKeys.add(keyOfOp.get(name));
      }
    });
    Map<String, GraphOperation> guessed = new LinkedHashMap<>(candidates);
    guessed.keySet().retainAll(expectedKeys);
    VariableStore store = guessed.isEmpty() ? null : build(graph, session, guessed, true);
    return new Prepared(graph, session, candidates, checks, guessed, store);
  }

  /** A store whose ops are in the graph, to be confirmed once the variables are filled. */
  public static final class Prepared {
    private final Graph graph;
    private final Session session;
    private final Map<String, GraphOperation> candidates;
    private final Map<String, Operand<TBool>> checks;
    private final Map<String, GraphOperation> guessed;
    private final VariableStore store;

    private Prepared(Graph graph, Session session, Map<String, GraphOperation> candidates,
        Map<String, Operand<TBool>> checks, Map<String, GraphOperation> guessed,
        VariableStore store) {
      this.graph = graph;
      this.session = session;
      this.candidates = candidates;
      this.checks = checks;
      this.guessed = guessed;
      this.store = store;
    }

    /**
     * The store of the variables initialized now: the prepared one when the guess was right,
     * else one built for those (adding ops: the session is extended once more).
     */
    public VariableStore check() {
      Map<String, GraphOperation> initialized = initializedOnly(candidates, checks, session);
      return store != null && initialized.keySet().equals(guessed.keySet())
          ? store : build(graph, session, initialized, false);
    }
  }

  /**
   * The handles that the SavedModel's restore op {@code restoreOp} (its saver's
   * {@code restore_op_name}) fills: a TF2 SavedModel's restore function takes them as inputs; a
   * TF1 saver's {@code restore_all} waits on one assign per variable, each taking its handle
   * first. Empty when the op is absent or looks otherwise.
   */
  public static Set<String> restoredBy(Graph graph, String restoreOp) {
    GraphOperation restore = graph.operation(restoreOp.replaceFirst(":\\d+$", ""));
    Set<String> handles = new java.util.LinkedHashSet<>();
    if (restore == null) {
      return handles;
    }
    List<org.tensorflow.Operation> producers = new ArrayList<>();
    for (org.tensorflow.Output<?> input : restore.inputList(0, restore.numInputs())) {
      producers.add(input.op());
    }
    for (GraphOperation control : restore.controlInputs()) {
      if (control.type().equals("AssignVariableOp") && control.numInputs() > 0) {
        producers.add(control.inputList(0, 1)[0].op());
      }
    }
    for (org.tensorflow.Operation op : producers) {
      if (op.type().equals("VarHandleOp")) {
        handles.add(op.name());
      }
    }
    return handles;
  }

  @SuppressWarnings("unchecked")
  private static VariableStore build(Graph graph, Session session,
      Map<String, GraphOperation> handles, boolean upFront) {
    Ops tf = Ops.create(graph).withSubScope("lrfinder_variables");
    List<String> names = new ArrayList<>();
    List<Output> reads = new ArrayList<>();
    List<Placeholder<?>> feeds = new ArrayList<>();
    List<Op> assigns = new ArrayList<>();
    for (Map.Entry<String, GraphOperation> entry : handles.entrySet()) {
      GraphOperation handle = entry.getValue();
      DType dtype = Tensors.dtypeOf(handle.attributes().getAttrType("dtype"))
          .filter(t -> !t.isString()).orElseThrow(
          () -> new ModelException("variable '" + entry.getKey() + "' has unsupported type "
              + handle.attributes().getAttrType("dtype")));
      Class<? extends TType> type = Tensors.typeClass(dtype);
      Operand<? extends TType> resource = (Operand<? extends TType>) handle.output(0);
      names.add(entry.getKey());
      ReadVariableOp<?> read = tf.readVariableOp(resource, type);
      reads.add(new Output(read, dtype, handle.attributes().getAttrShape("shape")));
      Placeholder<?> feed = tf.placeholder(type);
      feeds.add(feed);
      assigns.add(tf.assignVariableOp(resource, feed));
    }
    Op assignAll = tf.withControlDependencies(assigns).noOp();

    // A checkpoint of every variable under its store name (SaveV2 / RestoreV2): the on-disk
    // snapshot of both paths, covering exactly what the in-memory snapshot covers (a SavedModel's
    // own saver misses lrfinder's variables and covers the uninitialized Keras-side copies).
    Placeholder<TString> prefix = tf.withName("checkpoint_prefix").placeholder(TString.class);
    Op saveAll = tf.noOp();
    Op restoreAll = tf.noOp();
    if (!names.isEmpty()) { // (TF Java cannot make an empty string constant)
      Operand<TString> tensorNames = tf.constant(java.nio.charset.StandardCharsets.UTF_8,
          names.toArray(String[]::new));
      Operand<TString> slices = tf.constant(java.nio.charset.StandardCharsets.UTF_8,
          names.stream().map(n -> "").toArray(String[]::new));
      List<Operand<?>> values = new ArrayList<>(reads.size());
      reads.forEach(r -> values.add(r.read()));
      saveAll = tf.train.save(prefix, tensorNames, slices, values);
      List<Class<? extends TType>> types = new ArrayList<>();
      reads.forEach(r -> types.add(Tensors.typeClass(r.dtype())));
      Restore restored = tf.train.restore(prefix, tensorNames, slices, types);
      List<Op> restores = new ArrayList<>();
      int i = 0;
      for (Map.Entry<String, GraphOperation> entry : handles.entrySet()) {
        restores.add(tf.assignVariableOp((Operand<? extends TType>) entry.getValue().output(0),
            restored.tensors().get(i++)));
      }
      restoreAll = tf.withControlDependencies(restores).noOp();
    }
    return new VariableStore(session, names, reads, feeds, assignAll, prefix, saveAll, restoreAll,
        upFront);
  }

  private static String stringAttr(GraphOperation op, String name) {
    // Read through the proto: getAttrString misreads empty strings in TF Java 1.1.0.
    return op.attributes().getAttrValueProto(name).getS().toStringUtf8();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Operand<TBool>> initializationChecks(
      Map<String, GraphOperation> candidates, Ops tf) {
    Map<String, Operand<TBool>> checks = new LinkedHashMap<>();
    candidates.forEach((key, op) ->
        checks.put(key, tf.varIsInitializedOp((Operand<? extends TType>) op.output(0))));
    return checks;
  }

  private static Map<String, GraphOperation> initializedOnly(
      Map<String, GraphOperation> candidates, Map<String, Operand<TBool>> checks,
      Session session) {
    Map<String, GraphOperation> initialized = new LinkedHashMap<>();
    if (checks.isEmpty()) {
      return initialized;
    }
    List<String> keys = new ArrayList<>(checks.keySet());
    Session.Runner runner = session.runner();
    keys.forEach(key -> runner.fetch(checks.get(key)));
    try (Result result = runner.run()) {
      for (int i = 0; i < keys.size(); i++) {
        if (((TBool) result.get(i)).getBoolean()) {
          initialized.put(keys.get(i), candidates.get(keys.get(i)));
        }
      }
    }
    return initialized;
  }

  /**
   * The first variable whose value does not have the shape its handle declares, as "variable
   * 'name' holds [a, b] where its graph declares [c, d]"; empty when every value fits. A
   * checkpoint from another model restores values of other shapes without complaint.
   */
  public java.util.Optional<String> shapeMismatch() {
    if (reads.isEmpty()) {
      return java.util.Optional.empty();
    }
    // The fetches of read(), so that both share one executor (TensorFlow builds one per fetch
    // set, at a cost in time and memory that grows with the graph); a fetched read aliases the
    // variable's buffer, so only the shapes are looked at and nothing is copied.
    try (Result result = runReads()) {
      for (int i = 0; i < reads.size(); i++) {
        long[] held = result.get(i).shape().asArray();
        Shape declared = reads.get(i).declared();
        if (!fits(declared, held)) {
          return java.util.Optional.of("variable '" + names.get(i) + "' holds "
              + java.util.Arrays.toString(held) + " where its graph declares "
              + java.util.Arrays.toString(declared.asArray()).replace("-1", "?"));
        }
      }
    }
    return java.util.Optional.empty();
  }

  private static boolean fits(Shape declared, long[] held) {
    if (declared.isUnknown()) {
      return true;
    }
    if (declared.numDimensions() != held.length) {
      return false;
    }
    for (int d = 0; d < held.length; d++) {
      if (declared.size(d) >= 0 && declared.size(d) != held[d]) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether this store's ops were added with the check's, before the variables were filled (the
   * guess of {@link #prepare} was right), rather than after, at the cost of an extension.
   */
  public boolean preparedUpFront() {
    return preparedUpFront;
  }

  /** The variables' keys: {@code container:shared_name}, or the op name if not shared. */
  public List<String> names() {
    return names;
  }

  /** Writes every variable to a checkpoint with prefix {@code prefix} (its directory must exist). */
  public void save(java.nio.file.Path prefix) {
    try (TString filename = TString.scalarOf(prefix.toString())) {
      session.runner().feed(checkpointPrefix, filename).addTarget(saveAll).run().close();
    }
  }

  /** Sets every variable to its value in the checkpoint {@link #save} wrote at {@code prefix}. */
  public void load(java.nio.file.Path prefix) {
    try (TString filename = TString.scalarOf(prefix.toString())) {
      session.runner().feed(checkpointPrefix, filename).addTarget(restoreAll).run().close();
    }
  }

  /** Copies every variable into Java memory, in one session call. */
  public ModelSnapshot.InMemory read() {
    List<HostArray> values = new ArrayList<>(reads.size());
    try (Result result = runReads()) {
      for (int i = 0; i < reads.size(); i++) {
        values.add(Tensors.toHost(result.get(i)));
      }
    }
    return new ModelSnapshot.InMemory(names, values);
  }

  private Result runReads() {
    Session.Runner runner = session.runner();
    reads.forEach(r -> runner.fetch(r.read()));
    return runner.run();
  }

  /** Sets every variable to its value in {@code snapshot}, bit for bit, in one session call. */
  public void write(ModelSnapshot.InMemory snapshot) {
    if (!snapshot.variableNames().equals(names)) {
      throw new IllegalArgumentException("the snapshot was taken from a different model");
    }
    List<Tensor> tensors = new ArrayList<>(feeds.size());
    try {
      Session.Runner runner = session.runner();
      for (int i = 0; i < feeds.size(); i++) {
        Tensor tensor = Tensors.toTensor(snapshot.values().get(i));
        tensors.add(tensor);
        runner.feed(feeds.get(i), tensor);
      }
      runner.addTarget(assignAll).run().close();
    } finally {
      tensors.forEach(Tensor::close);
    }
  }
}
