package dev.lrfinder.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class NpyTest {
  private static final String FLOAT_DICT = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  private static final byte[] SIX_FLOATS = RawNpy.littleEndianFloats(1, 2, 3, 4, 5, 6);

  private static HostArray read(byte[] bytes) throws IOException {
    return Npy.read(new ByteArrayInputStream(bytes), "test.npy");
  }

  private static DataException readFails(byte[] bytes) {
    return assertThrows(DataException.class, () -> read(bytes));
  }

  /** Distinct, valid bytes for every element of a [2, 3] array of {@code dtype}. */
  private static HostArray sample(DType dtype) {
    if (dtype == DType.STRING) {
      return HostArray.ofStrings(new long[] {2, 3}, "a", "", "caf\u00e9", "\u65e5\u672c", "x y", "z");
    }
    byte[] bytes = new byte[6 * dtype.byteSize()];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = dtype == DType.BOOL ? (byte) (i % 2) : (byte) (i * 37 + 200);
    }
    return HostArray.of(dtype, new long[] {2, 3}, bytes);
  }

  @ParameterizedTest
  @EnumSource(DType.class)
  void writeThenReadGivesAnEqualArrayForEveryDType(DType dtype) throws IOException {
    HostArray original = sample(dtype);

    HostArray back = read(RawNpy.of(original));

    assertEquals(original, back);
    assertEquals(dtype, back.dtype());
    assertArrayEquals(new long[] {2, 3}, back.shape());
  }

  @Test
  void roundTripKeepsScalarVectorAndEmptyShapes() throws IOException {
    HostArray scalar = HostArray.ofFloats(new long[0], 2.5f);
    HostArray vector = HostArray.ofInts(new long[] {4}, 7, -1, 0, Integer.MAX_VALUE);
    HostArray empty = HostArray.ofFloats(new long[] {0, 3});

    assertEquals(scalar, read(RawNpy.of(scalar)));
    assertEquals(vector, read(RawNpy.of(vector)));
    assertEquals(empty, read(RawNpy.of(empty)));
    assertArrayEquals(new long[] {0, 3}, read(RawNpy.of(empty)).shape());
  }

  @Test
  void writtenHeaderIsVersionOneAndPaddedSoDataStartsAtAMultipleOf64() {
    byte[] bytes = RawNpy.of(HostArray.ofFloats(new long[] {2, 3}, 1, 2, 3, 4, 5, 6));

    assertArrayEquals(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}, Arrays.copyOf(bytes, 8));
    int headerLength = ByteBuffer.wrap(bytes, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort();
    int dataStart = 10 + headerLength;
    assertEquals(0, dataStart % 64);
    assertEquals(dataStart + 24, bytes.length);
    String header = new String(bytes, 10, headerLength, StandardCharsets.ISO_8859_1);
    assertTrue(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3"), header);
    assertTrue(header.endsWith("\n"), header);
  }

  @Test
  void writesOneElementShapesWithATrailingCommaAsPythonNeeds() {
    byte[] bytes = RawNpy.of(HostArray.ofInts(new long[] {3}, 1, 2, 3));

    String header = new String(bytes, 10, bytes.length - 10 - 12, StandardCharsets.ISO_8859_1);
    assertTrue(header.contains("'shape': (3,)"), header);
  }

  @Test
  void readsAHeaderAsNumpyWritesIt() throws IOException {
    // Header text as np.save(f, np.array([[1, 2, 3], [4, 5, 6]], dtype='<f4')) writes it.
    HostArray array = read(RawNpy.v1(FLOAT_DICT, SIX_FLOATS));

    assertEquals(DType.FLOAT32, array.dtype());
    assertArrayEquals(new long[] {2, 3}, array.shape());
    assertEquals(1.0, array.getDouble(0));
    assertEquals(6.0, array.getDouble(5));
  }

  @Test
  void readsFormatVersionsTwoAndThree() throws IOException {
    HostArray v2 = read(RawNpy.withVersion(2, FLOAT_DICT, SIX_FLOATS));
    HostArray v3 = read(RawNpy.withVersion(3, FLOAT_DICT, SIX_FLOATS));

    HostArray expected = HostArray.ofFloats(new long[] {2, 3}, 1, 2, 3, 4, 5, 6);
    assertEquals(expected, v2);
    assertEquals(expected, v3);
  }

  @Test
  void readsHeaderKeysInAnyOrderWithLongSuffixes() throws IOException {
    String dict = "{'shape': (2L, 1L), 'fortran_order': False, 'descr': '<i8'}";

    HostArray array = read(RawNpy.v1(dict, RawNpy.littleEndianLongs(-5, 1L << 40)));

    assertEquals(DType.INT64, array.dtype());
    assertArrayEquals(new long[] {2, 1}, array.shape());
    assertEquals(-5.0, array.getDouble(0));
    assertEquals(Math.pow(2, 40), array.getDouble(1));
  }

  @Test
  void readsUint8WrittenWithALittleEndianMark() throws IOException {
    String dict = "{'descr': '<u1', 'fortran_order': False, 'shape': (2,), }";

    HostArray array = read(RawNpy.v1(dict, new byte[] {(byte) 255, 3}));

    assertEquals(DType.UINT8, array.dtype());
    assertEquals(255.0, array.getDouble(0));
  }

  @Test
  void rejectsAComplexDTypeNamingItAndTheSupportedTypes() {
    String dict = "{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }";

    DataException e = readFails(RawNpy.v1(dict, new byte[8]));

    assertTrue(e.getMessage().contains("test.npy"), e.getMessage());
    assertTrue(e.getMessage().contains("'<c8'"), e.getMessage());
    assertTrue(e.getMessage().contains("reads float32, float64, int32, int64, uint8 and bool"),
        e.getMessage());
  }

  @Test
  void rejectsBigEndianFloats() {
    String dict = "{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }";

    DataException e = readFails(RawNpy.v1(dict, new byte[4]));

    assertTrue(e.getMessage().contains("'>f4'"), e.getMessage());
    assertTrue(e.getMessage().contains("little-endian"), e.getMessage());
  }

  @Test
  void rejectsFortranOrderWithAHintHowToFixIt() {
    String dict = "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }";

    DataException e = readFails(RawNpy.v1(dict, SIX_FLOATS));

    assertTrue(e.getMessage().contains("test.npy is stored in Fortran order"), e.getMessage());
    assertTrue(e.getMessage().contains("np.ascontiguousarray"), e.getMessage());
  }

  @Test
  void rejectsTruncatedDataSayingHowManyBytesWereExpected() {
    byte[] bytes = RawNpy.v1(FLOAT_DICT, SIX_FLOATS);

    DataException e = readFails(Arrays.copyOf(bytes, bytes.length - 1));

    assertEquals("test.npy is truncated: its header promises 24 bytes of data", e.getMessage());
  }

  @Test
  void rejectsATruncatedHeaderAsTruncated() {
    // Cut inside the version bytes, inside the header length, and inside the header dict.
    byte[] bytes = RawNpy.v1(FLOAT_DICT, SIX_FLOATS);

    for (int length : new int[] {7, 9, 40}) {
      DataException e = readFails(Arrays.copyOf(bytes, length));
      assertTrue(e.getMessage().startsWith("test.npy is truncated"), length + ": " + e.getMessage());
    }
  }

  @Test
  void rejectsAnEmptyStream() {
    DataException e = readFails(new byte[0]);

    assertEquals("test.npy is empty or not a .npy array", e.getMessage());
  }

  @Test
  void rejectsBadMagicBytes() {
    DataException e = readFails("x,y\n1,2\n3,4\n".getBytes(StandardCharsets.US_ASCII));

    assertEquals("test.npy is not a .npy array (bad magic bytes)", e.getMessage());
  }

  @Test
  void rejectsAHeaderWithoutShape() {
    DataException e = readFails(RawNpy.v1("{'descr': '<f4', 'fortran_order': False}", new byte[0]));

    assertEquals("test.npy has a .npy header without 'shape'", e.getMessage());
  }

  @Test
  void rejectsAStructuredDTypeAsAHeaderWithoutASimpleDescr() {
    String dict = "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }";

    DataException e = readFails(RawNpy.v1(dict, new byte[4]));

    assertEquals("test.npy has a .npy header without 'descr'", e.getMessage());
  }

  @Test
  void rejectsANonNumericShape() {
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, n), }";

    DataException e = readFails(RawNpy.v1(dict, new byte[0]));

    assertTrue(e.getMessage().contains("bad shape (2, n)"), e.getMessage());
  }

  @Test
  void aCorruptVersionTwoHeaderLengthIsAOneLineError() {
    byte[] bytes = RawNpy.withVersion(2, FLOAT_DICT, SIX_FLOATS);
    ByteBuffer.wrap(bytes, 8, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(-7);

    DataException e = assertThrows(DataException.class, () -> read(bytes));
    assertTrue(e.getMessage().contains("corrupt .npy header length (-7)"), e.getMessage());
  }

  @Test
  void rejectsPickledObjectArraysInWords() {
    String dict = "{'descr': '|O', 'fortran_order': False, 'shape': (2,), }";

    DataException e = readFails(RawNpy.v1(dict, new byte[16]));

    assertTrue(e.getMessage().startsWith("test.npy holds Python objects (numpy dtype '|O', stored"
        + " with pickle)"), e.getMessage());
  }

  @Test
  void bigEndianArraysGetAHintHowToConvertThem() {
    String dict = "{'descr': '>i8', 'fortran_order': False, 'shape': (1,), }";

    DataException e = readFails(RawNpy.v1(dict, new byte[8]));

    assertTrue(e.getMessage().startsWith("test.npy is big-endian (numpy dtype '>i8')"), e.getMessage());
    assertTrue(e.getMessage().contains("newbyteorder('<')"), e.getMessage());
  }

  @Test
  void rejectsANegativeDimension() {
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3), }";

    DataException e = readFails(RawNpy.v1(dict, new byte[0]));

    assertEquals("test.npy has a bad shape (2, -3) in its .npy header", e.getMessage());
  }

  @Test
  void refusesAHeaderDeclaringMoreThanOneJavaArrayBeforeReadingAnyData() {
    // 1.45e9 float32 rows: 5.8 GB declared, with no data at all behind the header.
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (1450000000,), }";

    DataException e = readFails(RawNpy.v1(dict, new byte[0]));

    assertEquals("test.npy declares 5.8 GB of data (shape [1450000000] of float32); lrfinder holds"
        + " at most 2 GiB per array", e.getMessage());
  }

  @Test
  void aShapeWhoseSizeOverflowsIsRefusedAsHuge() {
    String dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }";

    DataException e = readFails(RawNpy.v1(dict, new byte[0]));

    assertTrue(e.getMessage().startsWith("test.npy declares more than 9.2 EB of data"), e.getMessage());
  }

  @Test
  void readHeaderStopsAtTheDataAndCountsTheHeaderBytes() throws IOException {
    byte[] bytes = RawNpy.v1(FLOAT_DICT, SIX_FLOATS);
    ByteArrayInputStream in = new ByteArrayInputStream(bytes);

    Npy.Header header = Npy.readHeader(in, "test.npy");

    assertEquals(DType.FLOAT32, header.dtype());
    assertArrayEquals(new long[] {2, 3}, header.shape());
    assertEquals(24, header.dataBytes());
    assertEquals(bytes.length, header.fileBytes());
    assertEquals(24, in.available());
  }
}
