package dev.lrfinder.safety;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.bytedeco.javacpp.BytePointer;
import org.junit.jupiter.api.Test;
import org.tensorflow.TensorFlow;
import org.tensorflow.internal.c_api.TF_Buffer;
import org.tensorflow.internal.c_api.global.tensorflow;
import org.tensorflow.proto.OpDef;
import org.tensorflow.proto.OpList;

class OpPolicyTest {
  @Test
  void everyListedOpIsRegisteredInTheRuntime() throws Exception {
    Set<String> registered = registeredOps();
    TreeSet<String> unknown = new TreeSet<>(OpPolicy.bundled().rules().keySet());
    unknown.removeAll(registered);
    assertEquals(Set.of(), unknown, "op-policy.txt lists ops TensorFlow "
        + TensorFlow.version() + " does not have (a typo?)");
  }

  @Test
  void theCheckpointAndFileOpsAreWhereTheIssueWantsThem() {
    OpPolicy policy = OpPolicy.bundled();
    for (String op : List.of("SaveV2", "RestoreV2", "MergeV2Checkpoints", "ShardedFilename")) {
      assertEquals(OpPolicy.Rule.SAVER, policy.rule(op).orElseThrow(), op);
    }
    for (String op : List.of("ReadFile", "WriteFile", "MatchingFiles", "ImmutableConst",
        "TFRecordDataset", "CreateSummaryFileWriter", "DebugIdentityV2")) {
      assertEquals(OpPolicy.Rule.FILES, policy.rule(op).orElseThrow(), op);
    }
    for (String op : List.of("PyFunc", "PyFuncStateless", "EagerPyFunc")) {
      assertEquals(OpPolicy.Rule.PYTHON, policy.rule(op).orElseThrow(), op);
    }
    assertEquals(OpPolicy.Rule.NETWORK, policy.rule("RpcCall").orElseThrow());
    assertTrue(policy.rule("NoSuchOp").isEmpty());
    long allowed = policy.rules().values().stream().filter(r -> r == OpPolicy.Rule.ALLOWED)
        .count();
    assertTrue(allowed > 500, "allowed: " + allowed);
  }

  @Test
  void parsingRefusesMistakes() {
    assertEquals(OpPolicy.Rule.ALLOWED,
        OpPolicy.parse("# c\n[allowed]\nMatMul  # pure\n").rule("MatMul").orElseThrow());
    assertEquals("line 4: op 'MatMul' is listed twice", assertThrows(
        IllegalArgumentException.class,
        () -> OpPolicy.parse("[allowed]\nMatMul\n[files]\nMatMul\n")).getMessage());
    assertEquals("line 1: op 'MatMul' before any section", assertThrows(
        IllegalArgumentException.class, () -> OpPolicy.parse("MatMul\n")).getMessage());
    assertEquals("line 1: unknown section [maybe]", assertThrows(
        IllegalArgumentException.class, () -> OpPolicy.parse("[maybe]\n")).getMessage());
  }

  static Set<String> registeredOps() throws Exception {
    TensorFlow.version(); // loads the native library
    TF_Buffer buffer = tensorflow.TF_GetAllOpList();
    try {
      byte[] bytes = new byte[(int) buffer.length()];
      new BytePointer(buffer.data()).capacity(buffer.length()).get(bytes);
      return OpList.parseFrom(bytes).getOpList().stream().map(OpDef::getName)
          .collect(Collectors.toSet());
    } finally {
      tensorflow.TF_DeleteBuffer(buffer);
    }
  }
}
