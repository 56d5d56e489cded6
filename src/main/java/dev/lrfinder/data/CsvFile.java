package dev.lrfinder.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PushbackReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Reads a numeric CSV with a header row into features and a label column, parsed by Apache
 * Commons CSV (RFC 4180: quoted cells, commas and line breaks inside quotes, CRLF or LF).
 * Features become float32 {@code [rows, columns]}; the label column becomes int64 when every
 * value is an integer, else float32. Blank lines and a byte-order mark are skipped; anything
 * that is not a finite number is an error naming line and column.
 */
public final class CsvFile {
  private static final CSVFormat FORMAT = CSVFormat.DEFAULT.builder()
      .setIgnoreEmptyLines(true)
      .setIgnoreSurroundingSpaces(true)
      .setTrim(true)
      .get();
  /** What numpy and pandas write for non-finite values, and Java's own names. */
  private static final Pattern NON_FINITE =
      Pattern.compile("[+-]?(nan|inf|infinity)", Pattern.CASE_INSENSITIVE);
  private static final Pattern START_LINE = Pattern.compile("^\\(startline (\\d+)\\)\\s*");

  private CsvFile() {}

  /** {@link #read(Path, String, MemoryBudget)} within what this JVM's heap has left. */
  public static Dataset read(Path file, String labelColumn) {
    return read(file, labelColumn, MemoryBudget.heap());
  }

  public static Dataset read(Path file, String labelColumn, MemoryBudget budget) {
    DataFile.requireReadableFile(file);
    try (Reader reader = withoutByteOrderMark(Files.newBufferedReader(file, StandardCharsets.UTF_8));
        CSVParser parser = CSVParser.parse(reader, FORMAT)) {
      return read(file, labelColumn, parser, budget);
    } catch (UncheckedIOException e) {
      throw malformed(file, e.getCause());
    } catch (IOException e) {
      throw malformed(file, e);
    }
  }

  private static Dataset read(Path file, String labelColumn, CSVParser parser,
      MemoryBudget budget) {
    Iterator<CSVRecord> records = parser.iterator();
    List<String> header = null;
    while (header == null && records.hasNext()) {
      CSVRecord record = records.next();
      if (!isBlank(record)) {
        header = record.toList();
      }
    }
    if (header == null) {
      throw new DataException("data file '" + file + "' is empty");
    }
    int labelIndex = header.indexOf(labelColumn);
    if (labelIndex < 0) {
      throw new DataException("CSV '" + file + "' has no column '" + labelColumn + "'; columns: "
          + String.join(", ", header));
    }
    if (header.lastIndexOf(labelColumn) != labelIndex) {
      throw new DataException("CSV '" + file + "' has two columns named '" + labelColumn
          + "'; the label column must be unique");
    }
    List<String> featureColumns = new ArrayList<>(header);
    featureColumns.remove(labelIndex);
    if (featureColumns.isEmpty()) {
      throw new DataException("CSV '" + file + "' has only the label column '" + labelColumn
          + "' and no feature columns");
    }
    Columns columns = new Columns(featureColumns.size(), budget, "loading CSV '" + file + "'");
    while (records.hasNext()) {
      CSVRecord record = records.next();
      if (isBlank(record)) {
        continue;
      }
      // The line the record ends on: the line of its cells unless a quoted cell spans lines.
      int line = Math.toIntExact(parser.getCurrentLineNumber());
      if (record.size() != header.size()) {
        throw new DataException("CSV '" + file + "' line " + line + " has " + record.size()
            + " cells, the header has " + header.size());
      }
      columns.startRow(line);
      for (int c = 0; c < record.size(); c++) {
        String column = header.get(c);
        double value = parse(record.get(c), file, line, column);
        if (c == labelIndex) {
          columns.label(value);
        } else {
          if (Float.isInfinite((float) value)) {
            throw new DataException("CSV '" + file + "' line " + line + " column '" + column
                + "' is too large for float32: '" + record.get(c) + "'");
          }
          columns.feature((float) value);
        }
      }
    }
    if (columns.rows == 0) {
      throw new DataException("data file '" + file + "' has a header but no rows");
    }
    IntBuffer lines = IntBuffer.wrap(Arrays.copyOf(columns.lines, columns.rows));
    return new Dataset(columns.features(), columns.labels(file, labelColumn),
        ArrayName.csv(file, featureColumns, lines),
        ArrayName.csv(file, List.of(labelColumn), lines));
  }

  /** A line of nothing but spaces parses as one empty cell. */
  private static boolean isBlank(CSVRecord record) {
    return record.size() == 1 && record.get(0).isEmpty();
  }

  private static double parse(String cell, Path file, int line, String column) {
    if (!cell.isEmpty()) {
      char last = cell.charAt(cell.length() - 1);
      // Double.parseDouble also takes "1f", "2d" and "NaN"; a number ends in a digit or a point.
      if (Character.isDigit(last) || last == '.') {
        try {
          double value = Double.parseDouble(cell);
          if (Double.isFinite(value)) {
            return value;
          }
          throw nonFinite(file, line, column, cell);
        } catch (NumberFormatException e) {
          // reported below
        }
      }
      if (NON_FINITE.matcher(cell).matches()) {
        throw nonFinite(file, line, column, cell);
      }
    }
    throw new DataException("CSV '" + file + "' line " + line + " column '" + column
        + "' is not a number: '" + cell + "'");
  }

  private static DataException nonFinite(Path file, int line, String column, String cell) {
    return new DataException("CSV '" + file + "' line " + line + " column '" + column
        + "' is not a finite number: '" + cell + "'; lrfinder trains on finite numbers only");
  }

  /** An I/O or syntax error of the parser in words, with the line it names. */
  private static DataException malformed(Path file, IOException e) {
    if (e instanceof CharacterCodingException) {
      return new DataException("CSV '" + file + "' is not UTF-8 text");
    }
    String message = e.getMessage() == null ? "" : e.getMessage();
    if (!message.contains("encapsulated token") && !message.contains("startline")) {
      return DataFile.cannotRead(file, e);
    }
    Matcher start = START_LINE.matcher(message);
    String line = start.find() ? " from line " + start.group(1) : "";
    if (message.contains("EOF reached before encapsulated token finished")) {
      return new DataException("CSV '" + file + "' has a quoted cell" + line
          + " that is never closed");
    }
    if (message.contains("Invalid character between encapsulated token and delimiter")) {
      Matcher at = Pattern.compile("at line: (\\d+)").matcher(message);
      return new DataException("CSV '" + file + "' has text after a closing quote"
          + (at.find() ? " on line " + at.group(1) : line) + "; quote whole cells");
    }
    return new DataException("CSV '" + file + "' is not valid CSV: "
        + START_LINE.matcher(message).replaceFirst(""));
  }

  private static Reader withoutByteOrderMark(BufferedReader reader) throws IOException {
    PushbackReader pushback = new PushbackReader(reader, 1);
    int first = pushback.read();
    if (first >= 0 && first != '\uFEFF') { // byte-order mark written by spreadsheet programs
      pushback.unread(first);
    }
    return pushback;
  }

  /** The values read so far, in growing primitive arrays (no boxing), checked against the budget. */
  private static final class Columns {
    private final int featureCount;
    private final MemoryBudget budget;
    private final String what;
    private float[] features;
    private double[] labels;
    private int[] lines;
    private int rows;
    private int featureAt;

    Columns(int featureCount, MemoryBudget budget, String what) {
      this.featureCount = featureCount;
      this.budget = budget;
      this.what = what;
      int initial = 64;
      this.features = new float[initial * featureCount];
      this.labels = new double[initial];
      this.lines = new int[initial];
    }

    void startRow(int line) {
      if (rows == labels.length) {
        long capacity = Math.max(64, (long) rows * 2);
        long bytes = capacity * ((long) featureCount * 4 + 8 + 4);
        if ((long) featureCount * capacity > Integer.MAX_VALUE - 16) {
          throw new DataException(what + ": more than 2 GiB of features, which lrfinder cannot"
              + " hold in one array");
        }
        budget.require(bytes, what);
        features = Arrays.copyOf(features, Math.toIntExact(capacity * featureCount));
        labels = Arrays.copyOf(labels, Math.toIntExact(capacity));
        lines = Arrays.copyOf(lines, Math.toIntExact(capacity));
      }
      lines[rows] = line;
      featureAt = rows * featureCount;
      rows++;
    }

    void feature(float value) {
      features[featureAt++] = value;
    }

    void label(double value) {
      labels[rows - 1] = value;
    }

    HostArray features() {
      return HostArray.ofFloats(new long[] {rows, featureCount},
          Arrays.copyOf(features, rows * featureCount));
    }

    /** int64 when every label is an integer, else float32 (each checked to fit). */
    HostArray labels(Path file, String column) {
      boolean integral = true;
      for (int i = 0; i < rows && integral; i++) {
        integral = labels[i] == Math.rint(labels[i]) && Math.abs(labels[i]) < 0x1p53;
      }
      ByteBuffer buffer = ByteBuffer.allocate(rows * (integral ? 8 : 4))
          .order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < rows; i++) {
        if (integral) {
          buffer.putLong((long) labels[i]);
        } else if (Float.isInfinite((float) labels[i])) {
          throw new DataException("CSV '" + file + "' line " + lines[i] + " column '" + column
              + "' is too large for float32: " + labels[i]);
        } else {
          buffer.putFloat((float) labels[i]);
        }
      }
      return HostArray.of(integral ? DType.INT64 : DType.FLOAT32, new long[] {rows},
          buffer.array());
    }
  }
}
