package dev.lrfinder.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lrfinder.data.DType;
import dev.lrfinder.data.HostArray;
import dev.lrfinder.model.ModelException;
import org.junit.jupiter.api.Test;
import org.tensorflow.Tensor;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TString;

class TensorsTest {
  @Test
  void aStringArrayBecomesATStringTensorOfItsShapeAndBytes() {
    HostArray cities = HostArray.ofStrings(new long[] {2, 1}, "Oslo", "Z\u00fcrich");

    try (Tensor tensor = Tensors.toTensor(cities)) {
      TString strings = (TString) tensor;
      assertEquals(DataType.DT_STRING, tensor.dataType());
      assertArrayEquals(new long[] {2, 1}, tensor.shape().asArray());
      assertEquals("Oslo", strings.getObject(0, 0));
      assertEquals("Z\u00fcrich", strings.getObject(1, 0));
      assertEquals(DType.STRING, Tensors.dtypeOf(tensor.dataType()).orElseThrow());
      // Strings are fed, never read back (no variable holds them).
      assertThrows(ModelException.class, () -> Tensors.toHost(tensor));
    }
  }
}
