package dev.lrfinder.runtime;

import dev.lrfinder.model.ModelException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.GraphOperationBuilder;
import org.tensorflow.Operation;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.Tensor;
import org.tensorflow.op.OpScope;
import org.tensorflow.proto.AttrValue;

/**
 * One signature of a SavedModel resolved once to graph outputs, so a call is a single
 * {@code Session.run} with no name lookups.
 */
public final class SignatureCall {
  private static final Set<String> FUNCTION_CALLS =
      Set.of("StatefulPartitionedCall", "PartitionedCall");
  /** The attributes of a function-call node: its op's, then the hints tf.function adds. */
  private static final List<String> CALL_ATTRS = List.of("Tin", "Tout", "f", "config",
      "config_proto", "executor_type", "_read_only_resource_inputs", "_collective_manager_ids");
  private final String key;
  private final Session session;
  private final Output<?>[] inputs;
  private final List<String> outputNames;
  private final Output<?>[] outputs;

  private SignatureCall(String key, Session session, Output<?>[] inputs, List<String> outputNames,
      Output<?>[] outputs) {
    this.key = key;
    this.session = session;
    this.inputs = inputs;
    this.outputNames = outputNames;
    this.outputs = outputs;
  }

  /**
   * Resolves the signature {@code key} of a meta graph, feeding its inputs in {@code inputOrder}
   * and fetching its outputs with {@code firstOutput} first, then the others by name.
   */
  public static SignatureCall of(String key, SignatureDef signature, Session session,
      List<String> inputOrder, String firstOutput) {
    Graph graph = session.graph();
    Map<String, TensorInfo> declared = signature.getInputsMap();
    if (!declared.keySet().equals(new java.util.HashSet<>(inputOrder))) {
      throw new ModelException("signature '" + key + "' takes inputs "
          + declared.keySet() + ", expected " + inputOrder);
    }
    Output<?>[] inputs = inputOrder.stream()
        .map(name -> graph.outputOrThrow(declared.get(name).getName())).toArray(Output<?>[]::new);
    Map<String, TensorInfo> outs = signature.getOutputsMap();
    if (!outs.containsKey(firstOutput)) {
      throw new ModelException("signature '" + key + "' has no output '" + firstOutput + "'");
    }
    List<String> names = new java.util.ArrayList<>();
    names.add(firstOutput);
    outs.keySet().stream().filter(n -> !n.equals(firstOutput)).sorted().forEach(names::add);
    Output<?>[] outputs = names.stream().map(n -> graph.outputOrThrow(outs.get(n).getName()))
        .toArray(Output<?>[]::new);
    return new SignatureCall(key, session, inputs, List.copyOf(names), outputs);
  }

  /**
   * One call that runs {@code first} and then {@code then}, for exports that predate a signature
   * doing both: a copy of {@code then}'s function-call node with a control input on
   * {@code first}'s, added to the session's graph (TensorFlow extends the session with it at the
   * next run). It calls the same function on the same inputs, so it computes what {@code then}
   * computes, after {@code first} has run. It takes {@code then}'s inputs followed by
   * {@code first}'s and returns {@code then}'s outputs. Empty when {@code then}'s outputs are not
   * all of one function-call node (an export whose signatures look otherwise keeps two calls).
   */
  public static Optional<SignatureCall> sequence(String key, SignatureCall first,
      SignatureCall then) {
    if (first.session != then.session || first.outputs.length == 0 || then.outputs.length == 0) {
      return Optional.empty();
    }
    Operation call = then.outputs[0].op();
    if (!(call instanceof GraphOperation node) || !FUNCTION_CALLS.contains(node.type())
        || Arrays.stream(then.outputs).anyMatch(o -> !o.op().equals(call))) {
      return Optional.empty();
    }
    Graph graph = then.session.graph();
    String name = node.name() + "_after_" + first.outputs[0].op().name().replace('/', '_');
    GraphOperationBuilder builder = graph.opBuilder(node.type(), name, new OpScope(graph))
        .addInputList(node.inputList(0, node.numInputs()))
        .addControlInput(first.outputs[0].op());
    node.controlInputs().forEach(builder::addControlInput);
    for (String attr : CALL_ATTRS) {
      AttrValue value;
      try {
        value = node.attributes().getAttrValueProto(attr);
      } catch (RuntimeException absent) {
        continue; // optional (executor_type, the private hints): the node does without
      }
      builder.setAttr(attr, value);
    }
    if (!node.device().isEmpty()) {
      builder.setDevice(node.device());
    }
    GraphOperation copy = builder.build();
    Output<?>[] inputs = new Output<?>[then.inputs.length + first.inputs.length];
    System.arraycopy(then.inputs, 0, inputs, 0, then.inputs.length);
    System.arraycopy(first.inputs, 0, inputs, then.inputs.length, first.inputs.length);
    Output<?>[] outputs = Arrays.stream(then.outputs).map(o -> copy.output(o.index()))
        .toArray(Output<?>[]::new);
    return Optional.of(new SignatureCall(key, then.session, inputs, then.outputNames, outputs));
  }

  public String key() {
    return key;
  }

  /** Runs the signature and returns every (scalar) output by name, the first output first. */
  public Map<String, Double> callScalars(Tensor... args) {
    if (args.length != inputs.length) {
      throw new IllegalArgumentException(key + " takes " + inputs.length + " inputs");
    }
    Session.Runner runner = session.runner();
    for (int i = 0; i < args.length; i++) {
      runner.feed(inputs[i], args[i]);
    }
    for (Output<?> output : outputs) {
      runner.fetch(output);
    }
    Map<String, Double> values = new LinkedHashMap<>();
    try (Result result = runner.run()) {
      for (int i = 0; i < outputs.length; i++) {
        values.put(outputNames.get(i), Tensors.scalar(result.get(i)));
      }
    }
    return values;
  }
}
