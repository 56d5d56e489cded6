package dev.lrfinder.direct;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.bytedeco.javacpp.BytePointer;
import org.tensorflow.TensorFlow;
import org.tensorflow.internal.c_api.TF_Buffer;
import org.tensorflow.internal.c_api.global.tensorflow;
import org.tensorflow.proto.OpDef;
import org.tensorflow.proto.OpList;

/** The definitions of every op registered in the TensorFlow runtime, by op name. */
final class OpRegistry {
  private final Map<String, OpDef> ops;

  private OpRegistry(Map<String, OpDef> ops) {
    this.ops = ops;
  }

  /** Reads the runtime's op list once (a few MB of protobuf; keep the instance). */
  static OpRegistry load() {
    TensorFlow.version(); // loads the native library
    TF_Buffer buffer = tensorflow.TF_GetAllOpList();
    try {
      byte[] bytes = new byte[(int) buffer.length()];
      new BytePointer(buffer.data()).capacity(buffer.length()).get(bytes);
      OpList list = OpList.parseFrom(bytes);
      Map<String, OpDef> ops = new HashMap<>();
      list.getOpList().forEach(op -> ops.put(op.getName(), op));
      return new OpRegistry(ops);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IllegalStateException("TensorFlow returned an unreadable op list", e);
    } finally {
      tensorflow.TF_DeleteBuffer(buffer);
    }
  }

  Optional<OpDef> find(String opName) {
    return Optional.ofNullable(ops.get(opName));
  }
}
