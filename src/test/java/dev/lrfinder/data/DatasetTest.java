package dev.lrfinder.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lrfinder.TestPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetTest {
  @TempDir Path dir;

  private static final HostArray X =
      HostArray.ofFloats(new long[] {4, 3}, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
  private static final HostArray Y =
      HostArray.of(DType.INT64, new long[] {4}, RawNpy.littleEndianLongs(2, 0, 1, 2));

  private Path npz(String... namesThenArrays) throws IOException {
    return npz(map(namesThenArrays));
  }

  private Path npz(Map<String, HostArray> arrays) throws IOException {
    Path file = dir.resolve("data.npz");
    NpzFile.write(file, arrays);
    return file;
  }

  private static Map<String, HostArray> map(String... names) {
    Map<String, HostArray> arrays = new LinkedHashMap<>();
    for (String name : names) {
      arrays.put(name, name.startsWith("x") ? X : Y);
    }
    return arrays;
  }

  @Test
  void loadsTheRequestedSplitOfTheBundledArchive() {
    Dataset train = Dataset.load(TestPaths.data("blobs_mlp"), "train", "label");
    Dataset test = Dataset.load(TestPaths.data("blobs_mlp"), "test", "label");

    Map<String, HostArray> arrays = NpzFile.read(TestPaths.data("blobs_mlp"));
    assertEquals(500, train.rows());
    assertEquals(arrays.get("x_train"), train.x());
    assertEquals(arrays.get("y_train"), train.y());
    assertEquals(arrays.get("x_test"), test.x());
    assertEquals(arrays.get("y_test"), test.y());
    assertNotEquals(train.x(), test.x());
  }

  @Test
  void loadsPlainXAndYWhenTheSplitIsMissing() throws IOException {
    Dataset data = Dataset.load(npz("x", "y"), "train", "label");

    assertEquals(X, data.x());
    assertEquals(Y, data.y());
  }

  @Test
  void prefersTheSplitArraysOverPlainXAndY() throws IOException {
    Map<String, HostArray> arrays = new LinkedHashMap<>();
    arrays.put("x", HostArray.ofFloats(new long[] {1, 1}, 9));
    arrays.put("y", HostArray.ofInts(new long[] {1}, 9));
    arrays.put("x_val", X);
    arrays.put("y_val", Y);

    Dataset data = Dataset.load(npz(arrays), "val", "label");

    assertEquals(X, data.x());
  }

  @Test
  void npzWithoutTheNeededArraysListsWhatItHas() throws IOException {
    Path file = npz("features", "labels");

    DataException e = assertThrows(DataException.class, () -> Dataset.load(file, "train", "label"));

    assertEquals("data file '" + file
        + "' needs arrays x_train and y_train (or x and y); it has features, labels", e.getMessage());
  }

  @Test
  void loadsCsvFilesByExtension() throws IOException {
    Path file = Files.writeString(dir.resolve("DATA.CSV"), "a,b,label\n1,2,0\n3,4,1\n");

    Dataset data = Dataset.load(file, "train", "label");

    assertEquals(HostArray.ofFloats(new long[] {2, 2}, 1, 2, 3, 4), data.x());
    assertEquals(HostArray.of(DType.INT64, new long[] {2}, RawNpy.littleEndianLongs(0, 1)), data.y());
  }

  @Test
  void rejectsOtherExtensions() throws IOException {
    Path file = Files.writeString(dir.resolve("data.txt"), "1 2\n");

    DataException e = assertThrows(DataException.class, () -> Dataset.load(file, "train", "label"));

    assertEquals("data file '" + file + "' must be .npz or .csv", e.getMessage());
  }

  @Test
  void missingNpzIsReported() {
    Path file = dir.resolve("absent.npz");

    DataException e = assertThrows(DataException.class, () -> Dataset.load(file, "train", "label"));

    assertEquals("data file '" + file + "' does not exist", e.getMessage());
  }

  @Test
  void rejectsDifferentRowCounts() {
    DataException e = assertThrows(DataException.class,
        () -> new Dataset(X, HostArray.ofInts(new long[] {3}, 0, 1, 2)));

    assertEquals("the rows of features and labels differ: 4 in features, 3 in labels", e.getMessage());
  }

  @Test
  void rejectsScalarsAndEmptyData() {
    HostArray scalar = HostArray.ofInts(new long[0], 1);

    DataException e = assertThrows(DataException.class, () -> new Dataset(X, scalar));
    assertEquals("features and labels need a row dimension; got features float32[4, 3], labels int32[]", e.getMessage());
    DataException empty = assertThrows(DataException.class,
        () -> new Dataset(HostArray.ofFloats(new long[] {0, 3}), HostArray.ofInts(new long[] {0})));
    assertEquals("the data has no rows (features)", empty.getMessage());
  }

  @Test
  void conformToConvertsDTypes() {
    Dataset data = new Dataset(X, Y).conformTo(DType.FLOAT32, new long[] {3}, DType.INT32, new long[0]);

    assertSame(X, data.x());
    assertEquals(HostArray.ofInts(new long[] {4}, 2, 0, 1, 2), data.y());
  }

  @Test
  void conformToConvertsUint8ImagesToFloat32() {
    HostArray images = HostArray.of(DType.UINT8, new long[] {2, 2, 2, 1},
        new byte[] {0, 1, 2, (byte) 255, 4, 5, 6, 7});
    Dataset data = new Dataset(images, HostArray.ofInts(new long[] {2}, 0, 1));

    Dataset conformed = data.conformTo(DType.FLOAT32, new long[] {2, 2, 1}, DType.INT64, new long[0]);

    assertEquals(HostArray.ofFloats(new long[] {2, 2, 2, 1}, 0, 1, 2, 255, 4, 5, 6, 7), conformed.x());
    assertEquals(HostArray.of(DType.INT64, new long[] {2}, RawNpy.littleEndianLongs(0, 1)), conformed.y());
  }

  @Test
  void conformToLetsMinusOneMatchAnySize() {
    Dataset data = new Dataset(X, Y).conformTo(DType.FLOAT64, new long[] {-1}, DType.INT64, new long[0]);

    assertEquals(DType.FLOAT64, data.x().dtype());
    assertArrayEquals(new long[] {4, 3}, data.x().shape());
    assertEquals(11.0, data.x().getDouble(11));
  }

  @Test
  void conformToRejectsAWrongFeatureRowShape() {
    DataException e = assertThrows(DataException.class,
        () -> new Dataset(X, Y).conformTo(DType.FLOAT32, new long[] {2}, DType.INT64, new long[0]));

    assertEquals("shape [4, 3] of features does not fit the model, which expects [batch, 2]", e.getMessage());
  }

  @Test
  void conformToRejectsAWrongRankShowingUnknownDimsAsQuestionMarks() {
    DataException e = assertThrows(DataException.class,
        () -> new Dataset(X, Y).conformTo(DType.FLOAT32, new long[] {-1, 3, 1}, DType.INT64, new long[0]));

    assertEquals("shape [4, 3] of features does not fit the model, which expects [batch, ?, 3, 1]", e.getMessage());
  }

  @Test
  void conformToRejectsAWrongLabelRowShape() {
    DataException e = assertThrows(DataException.class,
        () -> new Dataset(X, Y).conformTo(DType.FLOAT32, new long[] {3}, DType.INT64, new long[] {1}));

    assertEquals("shape [4] of labels does not fit the model, which expects [batch, 1]", e.getMessage());
  }

  @Test
  void conformToRejectsLabelsWithARowDimensionWhenTheModelExpectsScalars() {
    HostArray oneHot = HostArray.ofFloats(new long[] {4, 2}, 1, 0, 0, 1, 1, 0, 0, 1);

    DataException e = assertThrows(DataException.class,
        () -> new Dataset(X, oneHot).conformTo(DType.FLOAT32, new long[] {3}, DType.INT64, new long[0]));

    assertEquals("shape [4, 2] of labels does not fit the model, which expects [batch]", e.getMessage());
  }

  @Test
  void conformToRejectsAFractionalLabelForIntegerLabels() {
    HostArray fractional = HostArray.ofFloats(new long[] {4}, 0.5f, 1, 2, 3);

    DataException e = assertThrows(DataException.class,
        () -> new Dataset(X, fractional).conformTo(DType.FLOAT32, new long[] {3}, DType.INT32, new long[0]));

    assertEquals("labels[0] is 0.5, which is not an integer (the model expects int32)", e.getMessage());
  }
}
