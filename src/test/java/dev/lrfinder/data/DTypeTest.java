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
  @EnumSource(value = DType.class, names = "STRING", mode = EnumSource.Mode.EXCLUDE)
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
    assertEquals(Optional.empty(), DType.fromNpyDescr("<f2"));
    assertEquals(Optional.empty(), DType.fromNpyDescr("|O"));
    assertEquals(Optional.empty(), DType.fromNpyDescr(">U3"));
    assertEquals(Optional.empty(), DType.fromLabel("complex64"));
  }

  @Test
  void fixedWidthTextAndBytesAreStrings() {
    assertEquals(Optional.of(DType.STRING), DType.fromNpyDescr("<U3"));
    assertEquals(Optional.of(DType.STRING), DType.fromNpyDescr("|S12"));
    assertEquals(Optional.of(DType.STRING), DType.fromLabel("string"));
    assertEquals(0, DType.STRING.byteSize());
    assertFalse(DType.STRING.canConvertTo(DType.FLOAT32));
    assertFalse(DType.INT64.canConvertTo(DType.STRING));
    assertTrue(DType.STRING.canConvertTo(DType.STRING));
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
