package dev.lrfinder.runtime;

import dev.lrfinder.model.ModelException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.Tensor;

/**
 * One signature of a SavedModel resolved once to graph outputs, so a call is a single
 * {@code Session.run} with no name lookups.
 */
public final class SignatureCall {
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
   * Resolves {@code signature}, feeding its inputs in {@code inputOrder} and fetching its outputs
   * with {@code firstOutput} first, then the others by name.
   */
  public static SignatureCall of(Signature signature, Session session, List<String> inputOrder,
      String firstOutput) {
    Graph graph = session.graph();
    Map<String, Signature.TensorDescription> declared = signature.getInputs();
    if (!declared.keySet().equals(new java.util.HashSet<>(inputOrder))) {
      throw new ModelException("signature '" + signature.key() + "' takes inputs "
          + declared.keySet() + ", expected " + inputOrder);
    }
    Output<?>[] inputs = inputOrder.stream()
        .map(name -> graph.outputOrThrow(declared.get(name).name)).toArray(Output<?>[]::new);
    Map<String, Signature.TensorDescription> outs = signature.getOutputs();
    if (!outs.containsKey(firstOutput)) {
      throw new ModelException("signature '" + signature.key() + "' has no output '" + firstOutput
          + "'");
    }
    List<String> names = new java.util.ArrayList<>();
    names.add(firstOutput);
    outs.keySet().stream().filter(n -> !n.equals(firstOutput)).sorted().forEach(names::add);
    Output<?>[] outputs = names.stream().map(n -> graph.outputOrThrow(outs.get(n).name))
        .toArray(Output<?>[]::new);
    return new SignatureCall(signature.key(), session, inputs, List.copyOf(names), outputs);
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
