package dev.lrfinder.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CsvFileTest {
  @TempDir Path dir;

  private Path csv(String text) throws IOException {
    return Files.writeString(dir.resolve("data.csv"), text);
  }

  private static double[] values(HostArray array) {
    double[] out = new double[Math.toIntExact(array.elementCount())];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.getDouble(i);
    }
    return out;
  }

  private static DataException readFails(Path file, String label) {
    return assertThrows(DataException.class, () -> CsvFile.read(file, label));
  }

  @Test
  void readsFeaturesAsFloat32WithoutTheLabelColumn() throws IOException {
    Dataset data = CsvFile.read(csv("a,label,b\n1.5,0,-2\n3,1,4.25\n"), "label");

    assertEquals(DType.FLOAT32, data.x().dtype());
    assertArrayEquals(new long[] {2, 2}, data.x().shape());
    assertArrayEquals(new double[] {1.5, -2, 3, 4.25}, values(data.x()));
  }

  @Test
  void integralLabelsBecomeInt64() throws IOException {
    Dataset data = CsvFile.read(csv("label,a\n2,0\n0,0\n7.0,0\n-1,0\n"), "label");

    assertEquals(DType.INT64, data.y().dtype());
    assertArrayEquals(new long[] {4}, data.y().shape());
    assertArrayEquals(new double[] {2, 0, 7, -1}, values(data.y()));
  }

  @Test
  void anyFractionalLabelMakesAllLabelsFloat32() throws IOException {
    Dataset data = CsvFile.read(csv("a,target\n0,1\n0,0.5\n"), "target");

    assertEquals(DType.FLOAT32, data.y().dtype());
    assertArrayEquals(new double[] {1, 0.5}, values(data.y()));
  }

  @Test
  void skipsBlankLinesAndTrimsCells() throws IOException {
    Dataset data = CsvFile.read(csv(" a , y \n\n 1 , 2 \n   \n3,4\n\n"), "y");

    assertEquals(2, data.rows());
    assertArrayEquals(new double[] {1, 3}, values(data.x()));
    assertArrayEquals(new double[] {2, 4}, values(data.y()));
  }

  @Test
  void readsWindowsLineEndings() throws IOException {
    Dataset data = CsvFile.read(csv("a,y\r\n1,2\r\n3,4\r\n"), "y");

    assertArrayEquals(new double[] {1, 3}, values(data.x()));
    assertArrayEquals(new double[] {2, 4}, values(data.y()));
  }

  @Test
  void missingLabelColumnIsNamedWithTheColumnsThereAre() throws IOException {
    Path file = csv("a,b,c\n1,2,3\n");

    DataException e = readFails(file, "label");

    assertEquals("CSV '" + file + "' has no column 'label'; columns: a, b, c", e.getMessage());
  }

  @Test
  void nonNumberIsReportedWithLineAndColumn() throws IOException {
    Path file = csv("a,b,label\n1,2,0\n3,abc,1\n");

    DataException e = readFails(file, "label");

    assertEquals("CSV '" + file + "' line 3 column 'b' is not a number: 'abc'", e.getMessage());
  }

  @Test
  void lineNumbersCountBlankLines() throws IOException {
    Path file = csv("a,label\n\n1,0\n\n\n2,x\n");

    DataException e = readFails(file, "label");

    assertEquals("CSV '" + file + "' line 6 column 'label' is not a number: 'x'", e.getMessage());
  }

  @Test
  void emptyCellIsReportedAsNotANumber() throws IOException {
    Path file = csv("a,label\n1,0\n,1\n");

    DataException e = readFails(file, "label");

    assertEquals("CSV '" + file + "' line 3 column 'a' is not a number: ''", e.getMessage());
  }

  @Test
  void rowWithTheWrongNumberOfCellsIsReported() throws IOException {
    Path file = csv("a,b,label\n1,2,0\n3,1\n");

    DataException e = readFails(file, "label");

    assertEquals("CSV '" + file + "' line 3 has 2 cells, the header has 3", e.getMessage());
  }

  @Test
  void headerWithoutRowsIsReported() throws IOException {
    Path file = csv("a,label\n\n");

    DataException e = readFails(file, "label");

    assertEquals("data file '" + file + "' has a header but no rows", e.getMessage());
  }

  @Test
  void emptyFileIsReported() throws IOException {
    Path file = csv("");

    DataException e = readFails(file, "label");

    assertEquals("data file '" + file + "' is empty", e.getMessage());
  }

  @Test
  void missingFileIsReported() {
    Path file = dir.resolve("absent.csv");

    DataException e = readFails(file, "label");

    assertEquals("data file '" + file + "' does not exist", e.getMessage());
  }

  @Test
  void aByteOrderMarkBeforeTheHeaderIsIgnored() throws IOException {
    Dataset data = CsvFile.read(csv("\uFEFFlabel,a\n1,2.5\n"), "label");

    assertEquals(1.0, data.y().getDouble(0));
    assertEquals(2.5, data.x().getDouble(0));
  }

  @Test
  void quotedHeadersAndCellsAreParsedAsCsv() throws IOException {
    Dataset data = CsvFile.read(csv("\"width, cm\",\"label\"\n\"1.5\",\"2\"\n3,\" 4 \"\n"), "label");

    assertArrayEquals(new double[] {1.5, 3}, values(data.x()));
    assertArrayEquals(new double[] {2, 4}, values(data.y()));
    assertEquals("line 3 column 'width, cm' of '" + dir.resolve("data.csv") + "'",
        data.xName().element(new long[] {1, 0}));
  }

  @Test
  void aQuotedCellWithACommaIsOneCellNotTwo() throws IOException {
    Path file = csv("a,label\n\"1,5\",0\n");

    DataException e = readFails(file, "label");

    assertEquals("CSV '" + file + "' line 2 column 'a' is not a number: '1,5'", e.getMessage());
  }

  @Test
  void aByteOrderMarkBeforeAQuotedHeaderIsIgnored() throws IOException {
    Dataset data = CsvFile.read(csv("\uFEFF\"label\",\"a\"\r\n1,2\r\n"), "label");

    assertEquals(1.0, data.y().getDouble(0));
  }

  @Test
  void nanAndInfinityCellsAreRefusedWithLineAndColumn() throws IOException {
    for (String cell : new String[] {"NaN", "nan", "inf", "-inf", "Infinity", "-Infinity", "1e999"}) {
      Path file = csv("a,b,label\n1,2,0\n3," + cell + ",1\n");

      DataException e = readFails(file, "label");

      assertEquals("CSV '" + file + "' line 3 column 'b' is not a finite number: '" + cell
          + "'; lrfinder trains on finite numbers only", e.getMessage(), cell);
    }
  }

  @Test
  void aNanLabelIsRefusedToo() throws IOException {
    Path file = csv("a,label\n1,0\n2,NaN\n");

    assertTrue(readFails(file, "label").getMessage().contains("line 3 column 'label' is not a finite"
        + " number: 'NaN'"));
  }

  /** CSV text whose reading must fail, and the message after {@code CSV '<file>'}. */
  static Stream<Arguments> refusedTexts() {
    return Stream.of(
        Arguments.of("a feature too large for float32", "a,label\n1e39,0\n",
            "' line 2 column 'a' is too large for float32: '1e39'"),
        Arguments.of("java only number suffixes are not numbers", "a,label\n1f,0\n",
            "' line 2 column 'a' is not a number: '1f'"),
        Arguments.of("line numbers count quoted line breaks", "\"a\nb\",label\n1,0\n2,x\n",
            "' line 4 column 'label' is not a number: 'x'"),
        Arguments.of("an unclosed quote is reported with its line", "a,label\n1,0\n\"2,1\n3,0\n",
            "' has a quoted cell from line 3 that is never closed"),
        Arguments.of("text after a closing quote is reported", "a,label\n\"1\"2,0\n",
            "' has text after a closing quote on line 2; quote whole cells"),
        Arguments.of("a duplicated label column is refused", "label,a,label\n1,2,3\n",
            "' has two columns named 'label'; the label column must be unique"),
        Arguments.of("a file with only the label column has no features", "label\n1\n2\n",
            "' has only the label column 'label' and no feature columns"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedTexts")
  void isRefusedWithTheCause(String name, String text, String message) throws IOException {
    Path file = csv(text);

    assertEquals("CSV '" + file + message, readFails(file, "label").getMessage());
  }

  @Test
  void textThatIsNotUtf8IsReportedAsSuch() throws IOException {
    Path file = Files.write(dir.resolve("latin1.csv"), new byte[] {'a', ',', 'l', '\n', (byte) 0xE9, ',', '1', '\n'});

    assertEquals("CSV '" + file + "' is not UTF-8 text", readFails(file, "l").getMessage());
  }

  @Test
  void manyRowsGrowTheColumnsAndKeepEveryValue() throws IOException {
    StringBuilder text = new StringBuilder("a,b,label\n");
    for (int i = 0; i < 5000; i++) {
      text.append(i).append(',').append(-i).append(',').append(i % 3).append('\n');
    }

    Dataset data = CsvFile.read(csv(text.toString()), "label");

    assertArrayEquals(new long[] {5000, 2}, data.x().shape());
    assertEquals(4999.0, data.x().getDouble(9998));
    assertEquals(-4999.0, data.x().getDouble(9999));
    assertEquals(4999 % 3, data.y().getDouble(4999));
  }

  @Test
  void growingBeyondTheMemoryBudgetIsRefusedInWords() throws IOException {
    StringBuilder text = new StringBuilder("a,label\n");
    for (int i = 0; i < 100; i++) {
      text.append(i).append(",0\n");
    }
    Path file = csv(text.toString());

    DataException e = assertThrows(DataException.class,
        () -> CsvFile.read(file, "label", MemoryBudget.fixed(1000)));

    assertTrue(e.getMessage().startsWith("loading CSV '" + file + "' needs 2.6 kB of memory; the JVM"
        + " has 1.0 kB to spare"), e.getMessage());
  }
}
