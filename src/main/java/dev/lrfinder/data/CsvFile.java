package dev.lrfinder.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a numeric CSV with a header row into features and a label column. Features become
 * float32 {@code [rows, columns]}; the label column becomes int64 when every value is an integer,
 * else float32. Blank lines are skipped; anything non-numeric is an error naming line and column.
 */
public final class CsvFile {
  private CsvFile() {}

  public static Dataset read(Path file, String labelColumn) {
    if (!Files.isRegularFile(file)) {
      throw new DataException("data file '" + file + "' does not exist");
    }
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String headerLine = reader.readLine();
      if (headerLine != null && headerLine.startsWith("\uFEFF")) {
        headerLine = headerLine.substring(1); // byte-order mark written by spreadsheet programs
      }
      if (headerLine == null || headerLine.isBlank()) {
        throw new DataException("data file '" + file + "' is empty");
      }
      List<String> header = Arrays.asList(split(headerLine));
      int labelIndex = header.indexOf(labelColumn);
      if (labelIndex < 0) {
        throw new DataException("CSV '" + file + "' has no column '" + labelColumn + "'; columns: "
            + String.join(", ", header));
      }
      int features = header.size() - 1;
      List<float[]> rows = new ArrayList<>();
      List<Double> labels = new ArrayList<>();
      String line;
      int lineNumber = 1;
      while ((line = reader.readLine()) != null) {
        lineNumber++;
        if (line.isBlank()) {
          continue;
        }
        String[] cells = split(line);
        if (cells.length != header.size()) {
          throw new DataException("CSV '" + file + "' line " + lineNumber + " has " + cells.length
              + " cells, the header has " + header.size());
        }
        float[] row = new float[features];
        int j = 0;
        for (int c = 0; c < cells.length; c++) {
          double value = parse(cells[c], file, lineNumber, header.get(c));
          if (c == labelIndex) {
            labels.add(value);
          } else {
            row[j++] = (float) value;
          }
        }
        rows.add(row);
      }
      if (rows.isEmpty()) {
        throw new DataException("data file '" + file + "' has a header but no rows");
      }
      return new Dataset(features(rows, features), labels(labels));
    } catch (IOException e) {
      throw new DataException("cannot read '" + file + "': " + e.getMessage(), e);
    }
  }

  private static HostArray features(List<float[]> rows, int features) {
    float[] flat = new float[rows.size() * features];
    for (int i = 0; i < rows.size(); i++) {
      System.arraycopy(rows.get(i), 0, flat, i * features, features);
    }
    return HostArray.ofFloats(new long[] {rows.size(), features}, flat);
  }

  private static HostArray labels(List<Double> labels) {
    long[] shape = {labels.size()};
    boolean integral = labels.stream().allMatch(v -> v == Math.rint(v) && Math.abs(v) < 1L << 53);
    java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(labels.size() * (integral ? 8 : 4))
        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (double v : labels) {
      if (integral) {
        buffer.putLong((long) v);
      } else {
        buffer.putFloat((float) v);
      }
    }
    return HostArray.of(integral ? DType.INT64 : DType.FLOAT32, shape, buffer.array());
  }

  private static double parse(String cell, Path file, int line, String column) {
    try {
      return Double.parseDouble(cell.trim());
    } catch (NumberFormatException e) {
      throw new DataException("CSV '" + file + "' line " + line + " column '" + column
          + "' is not a number: '" + cell.trim() + "'");
    }
  }

  private static String[] split(String line) {
    String[] cells = line.split(",", -1);
    for (int i = 0; i < cells.length; i++) {
      cells[i] = cells[i].trim();
    }
    return cells;
  }
}
