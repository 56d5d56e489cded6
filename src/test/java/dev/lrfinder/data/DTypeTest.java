package dev.lrfinder.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DTypeTest {
  @ParameterizedTest
  @EnumSource(DType.class)
  void npyDescrAndLabelParseBack(DType dtype) {
    assertEquals(Optional.of(dtype), DType.fromNpyDescr(dtype.npyDescr()));
    assertEquals(Optional.of(dtype), DType.fromLabel(dtype.label()));
    assertEquals(Optional.of(dtype), DType.fromLabel(dtype.label().toUpperCase()));
  }

  @Test
  void descrsAndSizesMatchNumpy() {
    // np.dtype(t).str and .itemsize for t in float32, float64, int32, int64, uint8, bool on x86.
    assertEquals("<f4", DType.FLOAT32.npyDescr());
    assertEquals("<f8", DType.FLOAT64.npyDescr());
    assertEquals("<i4", DType.INT32.npyDescr());
    assertEquals("<i8", DType.INT64.npyDescr());
    assertEquals("|u1", DType.UINT8.npyDescr());
    assertEquals("|b1", DType.BOOL.npyDescr());
    assertEquals(8, DType.FLOAT64.byteSize());
    assertEquals(1, DType.BOOL.byteSize());
  }

  @Test
  void nativeAndOneByteOrderMarksAreAccepted() {
    assertEquals(Optional.of(DType.FLOAT32), DType.fromNpyDescr("=f4"));
    assertEquals(Optional.of(DType.UINT8), DType.fromNpyDescr("<u1"));
    assertEquals(Optional.of(DType.BOOL), DType.fromNpyDescr("<b1"));
  }

  @Test
  void unsupportedDescrsAndLabelsAreEmpty() {
    assertEquals(Optional.empty(), DType.fromNpyDescr(">f4"));
    assertEquals(Optional.empty(), DType.fromNpyDescr("<U3"));
    assertEquals(Optional.empty(), DType.fromNpyDescr("<f2"));
    assertEquals(Optional.empty(), DType.fromLabel("string"));
  }

  @Test
  void conversionsFollowKerasRules() {
    assertTrue(DType.UINT8.canConvertTo(DType.FLOAT32));
    assertTrue(DType.INT64.canConvertTo(DType.INT32));
    assertTrue(DType.FLOAT64.canConvertTo(DType.FLOAT32));
    assertTrue(DType.BOOL.canConvertTo(DType.BOOL));
    assertTrue(DType.FLOAT32.canConvertTo(DType.INT64)); // when integral, checked value by value
    assertFalse(DType.FLOAT32.canConvertTo(DType.UINT8));
    assertFalse(DType.INT32.canConvertTo(DType.UINT8));
    assertFalse(DType.INT32.canConvertTo(DType.BOOL));
  }
}
