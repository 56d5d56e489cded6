package dev.lrfinder.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class HostArrayTest {
  private static double[] values(HostArray array) {
    double[] out = new double[Math.toIntExact(array.elementCount())];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.getDouble(i);
    }
    return out;
  }

  private static HostArray longs(long... values) {
    return HostArray.of(DType.INT64, new long[] {values.length}, RawNpy.littleEndianLongs(values));
  }

  private static byte[] bytesOf(HostArray array) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    array.writeTo(out);
    return out.toByteArray();
  }

  @Test
  void ofFloatsStoresLittleEndianBytes() throws IOException {
    HostArray array = HostArray.ofFloats(new long[] {1}, 1.0f);

    assertArrayEquals(new byte[] {0, 0, (byte) 0x80, 0x3f}, bytesOf(array));
    assertEquals(DType.FLOAT32, array.dtype());
  }

  @Test
  void ofIntsStoresLittleEndianBytes() throws IOException {
    HostArray array = HostArray.ofInts(new long[] {2}, 0x01020304, -1);

    assertArrayEquals(new byte[] {4, 3, 2, 1, -1, -1, -1, -1}, bytesOf(array));
    assertEquals(DType.INT32, array.dtype());
  }

  @Test
  void getDoubleReadsEveryDType() {
    assertEquals(-2.5, HostArray.ofFloats(new long[] {2}, 0, -2.5f).getDouble(1));
    assertEquals(-7.0, HostArray.ofInts(new long[] {1}, -7).getDouble(0));
    assertEquals(-(1L << 40), longs(-(1L << 40)).getDouble(0));
    byte[] bigDouble = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(1e300).array();
    assertEquals(1e300, HostArray.of(DType.FLOAT64, new long[] {1}, bigDouble).getDouble(0));
    assertEquals(200.0, HostArray.of(DType.UINT8, new long[] {1}, new byte[] {(byte) 200}).getDouble(0));
    assertArrayEquals(new double[] {0, 1, 1},
        values(HostArray.of(DType.BOOL, new long[] {3}, new byte[] {0, 1, 2})));
  }

  @Test
  void shapeAccessorsDescribeRowsAndRowShape() {
    HostArray array = HostArray.of(DType.UINT8, new long[] {4, 3, 2}, new byte[24]);

    assertEquals(3, array.rank());
    assertEquals(4, array.rows());
    assertEquals(24, array.elementCount());
    assertEquals(24, array.byteSize());
    assertArrayEquals(new long[] {3, 2}, array.rowShape());
    assertEquals("uint8[4, 3, 2]", array.toString());
  }

  @Test
  void scalarHasOneRowAndAnEmptyRowShape() {
    HostArray scalar = HostArray.ofFloats(new long[0], 3f);

    assertEquals(0, scalar.rank());
    assertEquals(1, scalar.rows());
    assertEquals(1, scalar.elementCount());
    assertArrayEquals(new long[0], scalar.rowShape());
  }

  @Test
  void ofRejectsAByteCountThatDoesNotMatchTheShape() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> HostArray.of(DType.INT32, new long[] {2, 3}, new byte[20]));

    assertEquals("shape [2, 3] of int32 needs 24 bytes, got 20", e.getMessage());
  }

  @Test
  void ofRejectsNegativeDimensions() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> HostArray.of(DType.UINT8, new long[] {-1, 2}, new byte[0]));

    assertEquals("negative dimension in [-1, 2]", e.getMessage());
  }

  @Test
  void shapeIsACopy() {
    long[] shape = {2, 1};
    HostArray array = HostArray.ofInts(shape, 1, 2);

    shape[0] = 9;
    array.shape()[1] = 9;

    assertArrayEquals(new long[] {2, 1}, array.shape());
  }

  @Test
  void gatherRowsKeepsTheRequestedOrderWithRepeats() {
    HostArray array = HostArray.ofInts(new long[] {4, 2}, 0, 1, 10, 11, 20, 21, 30, 31);

    HostArray gathered = array.gatherRows(new int[] {3, 0, 2, 0});

    assertArrayEquals(new long[] {4, 2}, gathered.shape());
    assertArrayEquals(new double[] {30, 31, 0, 1, 20, 21, 0, 1}, values(gathered));
    assertEquals(DType.INT32, gathered.dtype());
  }

  @Test
  void gatherRowsOfAVectorAndOfHigherRankArrays() {
    HostArray vector = HostArray.ofFloats(new long[] {3}, 5, 6, 7);
    HostArray cube = HostArray.of(DType.UINT8, new long[] {3, 2, 2},
        new byte[] {0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23});

    assertEquals(HostArray.ofFloats(new long[] {2}, 7, 5), vector.gatherRows(new int[] {2, 0}));
    HostArray rows = cube.gatherRows(new int[] {1});
    assertArrayEquals(new long[] {1, 2, 2}, rows.shape());
    assertArrayEquals(new double[] {10, 11, 12, 13}, values(rows));
  }

  @Test
  void gatherRowsRejectsRowsOutOfRange() {
    HostArray array = HostArray.ofInts(new long[] {2}, 1, 2);

    assertThrows(IndexOutOfBoundsException.class, () -> array.gatherRows(new int[] {0, 2}));
    assertThrows(IndexOutOfBoundsException.class, () -> array.gatherRows(new int[] {-1}));
  }

  @Test
  void convertToTheSameTypeReturnsTheSameArray() {
    HostArray array = HostArray.ofFloats(new long[] {1}, 1);

    assertSame(array, array.convertTo(DType.FLOAT32, ArrayName.plain("x")));
  }

  @Test
  void convertInt64ToInt32KeepsValuesThatFit() {
    HostArray converted = longs(Integer.MIN_VALUE, -1, 0, Integer.MAX_VALUE).convertTo(DType.INT32, ArrayName.plain("labels"));

    assertEquals(HostArray.ofInts(new long[] {4}, Integer.MIN_VALUE, -1, 0, Integer.MAX_VALUE), converted);
  }

  @Test
  void convertInt64ToInt32RejectsAValueTooLarge() {
    DataException e = assertThrows(DataException.class,
        () -> longs(1, 3_000_000_000L).convertTo(DType.INT32, ArrayName.plain("labels")));

    assertEquals("labels[1] is 3000000000, which does not fit int32 (the model's type)", e.getMessage());
  }

  @Test
  void convertInt64ToInt32RejectsAValueTooSmall() {
    DataException e = assertThrows(DataException.class,
        () -> longs(-2_147_483_649L).convertTo(DType.INT32, ArrayName.plain("labels")));

    assertEquals("labels[0] is -2147483649, which does not fit int32 (the model's type)", e.getMessage());
  }

  @Test
  void convertFloat32ToUint8IsRejected() {
    DataException e = assertThrows(DataException.class,
        () -> HostArray.ofFloats(new long[] {1}, 1).convertTo(DType.UINT8, ArrayName.plain("features")));

    assertEquals("dtype float32 of features cannot be fed where the model expects uint8", e.getMessage());
  }

  @Test
  void convertFloatToIntegerKeepsIntegralValues() {
    HostArray floats = HostArray.ofFloats(new long[] {3}, 2, 0, -1);

    assertEquals(HostArray.ofInts(new long[] {3}, 2, 0, -1),
        floats.convertTo(DType.INT32, ArrayName.plain("labels")));
    assertEquals(longs(2, 0, -1), floats.convertTo(DType.INT64, ArrayName.plain("labels")));
  }

  @Test
  void convertFloatToIntegerRejectsAFractionNamingItsElement() {
    HostArray floats = HostArray.ofFloats(new long[] {2, 2}, 1, 2, 3, 2.5f);

    DataException e = assertThrows(DataException.class,
        () -> floats.convertTo(DType.INT32, ArrayName.plain("labels")));

    assertEquals("labels[1, 1] is 2.5, which is not an integer (the model expects int32)",
        e.getMessage());
  }

  @Test
  void convertFloat64ToFloat32RejectsAFiniteValueThatWouldBecomeInfinite() {
    ByteBuffer bytes = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(1).putDouble(1e300);
    HostArray doubles = HostArray.of(DType.FLOAT64, new long[] {2}, bytes.array());

    DataException e = assertThrows(DataException.class,
        () -> doubles.convertTo(DType.FLOAT32, ArrayName.npz(Path.of("d.npz"), "x_train")));

    assertEquals("x_train[1] in 'd.npz' is 1.0e300, which is too large for float32 (the model's type)",
        e.getMessage());
  }

  @Test
  void firstNonFiniteFindsTheFirstNanOrInfinityOfEitherFloatType() {
    assertEquals(-1, HostArray.ofFloats(new long[] {3}, 1, -2, Float.MAX_VALUE).firstNonFinite());
    assertEquals(1, HostArray.ofFloats(new long[] {3}, 1, Float.NaN, Float.POSITIVE_INFINITY).firstNonFinite());
    ByteBuffer bytes = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN)
        .putDouble(0).putDouble(1).putDouble(Double.NEGATIVE_INFINITY);
    assertEquals(2, HostArray.of(DType.FLOAT64, new long[] {3}, bytes.array()).firstNonFinite());
    assertEquals(-1, longs(1, 2, 3).firstNonFinite());
  }

  @Test
  void firstIndexWhereReadsEveryDType() {
    assertEquals(2, longs(5, 6, -7).firstIndexWhere(v -> v < 0));
    assertEquals(1, HostArray.of(DType.UINT8, new long[] {2}, new byte[] {1, (byte) 200})
        .firstIndexWhere(v -> v > 100));
    assertEquals(-1, HostArray.ofInts(new long[] {2}, 1, 2).firstIndexWhere(v -> v > 2));
  }

  @Test
  void indexOfUnravelsAFlatIndexInCOrder() {
    HostArray cube = HostArray.ofFloats(new long[] {2, 3, 4}, new float[24]);

    assertArrayEquals(new long[] {0, 0, 0}, cube.indexOf(0));
    assertArrayEquals(new long[] {1, 2, 3}, cube.indexOf(23));
    assertArrayEquals(new long[] {1, 0, 1}, cube.indexOf(13));
  }

  @Test
  void convertIntegerToUint8OrBoolIsRejected() {
    HostArray ints = HostArray.ofInts(new long[] {1}, 1);

    assertThrows(DataException.class, () -> ints.convertTo(DType.UINT8, ArrayName.plain("x")));
    assertThrows(DataException.class, () -> ints.convertTo(DType.BOOL, ArrayName.plain("x")));
  }

  @Test
  void convertUint8ToFloat32ReadsBytesAsUnsigned() {
    byte[] bytes = {0, 1, (byte) 128, (byte) 255};
    HostArray pixels = HostArray.of(DType.UINT8, new long[] {2, 2}, bytes);

    HostArray converted = pixels.convertTo(DType.FLOAT32, ArrayName.plain("features"));

    assertEquals(HostArray.ofFloats(new long[] {2, 2}, 0, 1, 128, 255), converted);
  }

  @Test
  void convertInt32ToInt64AndFloat64() {
    HostArray ints = HostArray.ofInts(new long[] {3}, -5, 0, Integer.MAX_VALUE);

    assertEquals(longs(-5, 0, Integer.MAX_VALUE), ints.convertTo(DType.INT64, ArrayName.plain("y")));
    HostArray doubles = ints.convertTo(DType.FLOAT64, ArrayName.plain("y"));
    assertEquals(DType.FLOAT64, doubles.dtype());
    assertArrayEquals(new double[] {-5, 0, Integer.MAX_VALUE}, values(doubles));
  }

  @Test
  void convertFloat64ToFloat32RoundsToNearestFloat() {
    HostArray doubles = HostArray.ofInts(new long[] {2}, 1, 3).convertTo(DType.FLOAT64, ArrayName.plain("x"));

    assertEquals(HostArray.ofFloats(new long[] {2}, 1, 3), doubles.convertTo(DType.FLOAT32, ArrayName.plain("x")));
  }

  @Test
  void convertBoolToFloat32GivesZeroAndOne() {
    HostArray flags = HostArray.of(DType.BOOL, new long[] {2}, new byte[] {1, 0});

    assertEquals(HostArray.ofFloats(new long[] {2}, 1, 0), flags.convertTo(DType.FLOAT32, ArrayName.plain("x")));
  }

  @Test
  void equalArraysAreEqualWithEqualHashCodes() {
    HostArray a = HostArray.ofInts(new long[] {2, 2}, 1, 2, 3, 4);
    HostArray b = HostArray.ofInts(new long[] {2, 2}, 1, 2, 3, 4);

    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
  }

  @Test
  void arraysDifferingInValuesShapeOrDTypeAreNotEqual() {
    HostArray a = HostArray.ofInts(new long[] {2, 2}, 1, 2, 3, 4);

    assertNotEquals(a, HostArray.ofInts(new long[] {2, 2}, 1, 2, 3, 5));
    assertNotEquals(a, HostArray.ofInts(new long[] {4}, 1, 2, 3, 4));
    assertNotEquals(a, HostArray.of(DType.FLOAT32, new long[] {2, 2}, intBytes(1, 2, 3, 4)));
    assertNotEquals(a, null);
    assertNotEquals(a, "int32[2, 2]");
  }

  private static byte[] intBytes(int... values) {
    ByteBuffer buffer = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    buffer.asIntBuffer().put(values);
    return buffer.array();
  }

  @Test
  void rowShapeFitsTreatsMinusOneAsAnySize() {
    HostArray images = HostArray.ofFloats(new long[] {2, 3, 4}, new float[24]);
    org.junit.jupiter.api.Assertions.assertTrue(images.rowShapeFits(new long[] {3, 4}));
    org.junit.jupiter.api.Assertions.assertTrue(images.rowShapeFits(new long[] {-1, 4}));
    org.junit.jupiter.api.Assertions.assertFalse(images.rowShapeFits(new long[] {3, 5}));
    org.junit.jupiter.api.Assertions.assertFalse(images.rowShapeFits(new long[] {12}));
  }

  @Test
  void stringArraysGatherRowsReshapeAndCompareByContent() {
    HostArray cities = HostArray.ofStrings(new long[] {3, 2}, "Oslo", "NO", "Lyon", "FR",
        "Z\u00fcrich", "CH");

    HostArray picked = cities.gatherRows(new int[] {2, 0});

    assertEquals(HostArray.ofStrings(new long[] {2, 2}, "Z\u00fcrich", "CH", "Oslo", "NO"), picked);
    assertNotEquals(HostArray.ofStrings(new long[] {2, 2}, "Oslo", "NO", "Oslo", "NO"), picked);
    assertArrayEquals(new long[] {6}, cities.reshape(new long[] {6}).shape());
    assertEquals("FR", cities.reshape(new long[] {6}).getString(3));
    // "Z\u00fcrich" is 7 bytes of UTF-8
    assertEquals(4 + 2 + 4 + 2 + 7 + 2, cities.byteSize());
    assertEquals(-1, cities.firstNonFinite());
    assertThrows(IllegalStateException.class, () -> cities.getDouble(0));
    assertThrows(IllegalArgumentException.class, () -> HostArray.of(DType.STRING, new long[] {1},
        new byte[0]));
  }

  @Test
  void stringsAndNumbersDoNotConvertIntoEachOther() {
    HostArray cities = HostArray.ofStrings(new long[] {1}, "Oslo");

    DataException e = assertThrows(DataException.class,
        () -> cities.convertTo(DType.FLOAT32, ArrayName.plain("x_city")));

    assertEquals("x_city holds strings, but the model expects float32: convert it to numbers"
        + " first", e.getMessage());
    assertSame(cities, cities.convertTo(DType.STRING, ArrayName.plain("x_city")));
  }
}
