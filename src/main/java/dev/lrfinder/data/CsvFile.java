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
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Reads a CSV with a header row, parsed by Apache Commons CSV (RFC 4180: quoted cells, commas and
 * line breaks inside quotes, CRLF or LF). For a model of one numeric input: the label column(s),
 * and every other column a feature, as float32 {@code [rows, columns]}. For several inputs (or a
 * string input named by a column): each column named like an input feeds that input, one value
 * per row, kept verbatim for a string input; label columns are named like the outputs (one output: the
 * label column, else its name). A numeric column or label becomes int64 when every value is an
 * integer, else float32. Blank lines and a byte-order mark are skipped; anything that is not a
 * finite number is an error naming line and column.
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

  /**
   * What a CSV held for a model.
   *
   * @param unusedColumns columns that feed no input or output (only when inputs are read by name)
   */
  public record Table(Dataset data, List<String> unusedColumns) {
    public Table {
      unusedColumns = List.copyOf(unusedColumns);
    }
  }

  private CsvFile() {}

  /** {@link #read(Path, String, MemoryBudget)} within what this JVM's heap has left. */
  public static Dataset read(Path file, String labelColumn) {
    return read(file, labelColumn, MemoryBudget.heap());
  }

  /** Features (every column but the label column) and labels, read without a model. */
  public static Dataset read(Path file, String labelColumn, MemoryBudget budget) {
    return read(file, Optional.empty(), labelColumn, budget).data();
  }

  /** The CSV read for the model {@code layout} describes, or without a model when empty. */
  public static Table read(Path file, Optional<DataLayout> layout, String labelColumn,
      MemoryBudget budget) {
    DataFile.requireReadableFile(file);
    try (Reader reader = withoutByteOrderMark(Files.newBufferedReader(file, StandardCharsets.UTF_8));
        CSVParser parser = CSVParser.parse(reader, FORMAT)) {
      return read(file, layout, labelColumn, parser, budget);
    } catch (UncheckedIOException e) {
      throw malformed(file, e.getCause());
    } catch (IOException e) {
      throw malformed(file, e);
    }
  }

  /** Where a model slot's values come from: one column, or (features) several. */
  private record Source(String key, List<Integer> columns, boolean text) {}

  private static Table read(Path file, Optional<DataLayout> layout, String labelColumn,
      CSVParser parser, MemoryBudget budget) {
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
    List<Source> labels = labelSources(file, header, layout, labelColumn);
    Set<Integer> used = new HashSet<>();
    labels.forEach(l -> used.addAll(l.columns()));
    List<Source> inputs = inputSources(file, header, layout, used, labelColumn);
    inputs.forEach(i -> used.addAll(i.columns()));
    List<String> unused = new ArrayList<>();
    for (int c = 0; c < header.size(); c++) {
      if (!used.contains(c)) {
        unused.add(header.get(c));
      }
    }
    // Columns of a float32 feature matrix, checked for float32 range as they are read.
    Set<Integer> floats = new HashSet<>();
    if (isMatrix(layout, header)) {
      inputs.stream().filter(i -> !i.text()).forEach(i -> floats.addAll(i.columns()));
    }
    Columns columns = new Columns(header.size(), inputs, budget, "loading CSV '" + file + "'");
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
        if (columns.isText(c)) {
          columns.text(c, record.get(c));
        } else if (used.contains(c)) {
          double value = parse(record.get(c), file, line, header.get(c));
          if (floats.contains(c) && Float.isInfinite((float) value)) {
            throw new DataException("CSV '" + file + "' line " + line + " column '"
                + header.get(c) + "' is too large for float32: '" + record.get(c) + "'");
          }
          columns.number(c, value);
        }
      }
    }
    if (columns.rows == 0) {
      throw new DataException("data file '" + file + "' has a header but no rows");
    }
    IntBuffer lines = IntBuffer.wrap(Arrays.copyOf(columns.lines, columns.rows));
    List<NamedArray> in = new ArrayList<>();
    for (Source source : inputs) {
      List<String> names = source.columns().stream().map(header::get).toList();
      ArrayName name = ArrayName.csv(file, names, lines);
      HostArray values = source.text() ? columns.texts(source.columns().get(0))
          : isMatrix(layout, header) ? columns.features(source.columns())
              : columns.numbers(source.columns().get(0), file, header.get(source.columns().get(0)));
      in.add(new NamedArray(source.key(), values, name));
    }
    List<NamedArray> out = new ArrayList<>();
    for (Source source : labels) {
      int c = source.columns().get(0);
      out.add(new NamedArray(source.key(), columns.numbers(c, file, header.get(c)),
          ArrayName.csv(file, List.of(header.get(c)), lines)));
    }
    return new Table(new Dataset(in, out), isMatrix(layout, header) ? List.of() : unused);
  }

  /**
   * Whether every non-label column is a feature of the one input (as before contract v2): without
   * a model, or for a model of one numeric input. Several inputs, or one string input, are fed by
   * the columns of their names.
   */
  private static boolean isMatrix(Optional<DataLayout> layout, List<String> header) {
    return layout.isEmpty() || (layout.get().inputs().size() == 1
        && (!layout.get().inputs().get(0).dtype().isString()
            || column(header, layout.get().inputs().get(0).key()) < 0));
  }

  private static List<Source> labelSources(Path file, List<String> header,
      Optional<DataLayout> layout, String labelColumn) {
    if (layout.isEmpty() || layout.get().outputs().size() == 1) {
      int index = header.indexOf(labelColumn);
      String key = layout.map(l -> l.outputs().get(0).key()).orElse("y");
      String named = labelColumn;
      if (index < 0 && layout.isPresent()) {
        index = column(header, key);
        named = index < 0 ? labelColumn : header.get(index);
      }
      if (index < 0) {
        throw new DataException("CSV '" + file + "' has no column '" + labelColumn + "'"
            + (layout.isPresent() && !key.equals(labelColumn) && !key.equals("y")
                ? " (nor '" + key + "', the model's output)" : "")
            + "; columns: " + String.join(", ", header));
      }
      if (header.lastIndexOf(named) != index) {
        throw new DataException("CSV '" + file + "' has two columns named '" + named
            + "'; the label column must be unique");
      }
      return List.of(new Source(key, List.of(index), false));
    }
    List<Source> sources = new ArrayList<>();
    for (DataLayout.Slot slot : layout.get().outputs()) {
      int index = column(header, slot.key());
      if (index < 0) {
        throw new DataException("CSV '" + file + "' has no column '" + slot.key() + "' for the"
            + " labels of output '" + slot.key() + "' (each output's labels are the column of"
            + " its name); columns: " + String.join(", ", header));
      }
      unique(file, header, index);
      sources.add(new Source(slot.key(), List.of(index), false));
    }
    return sources;
  }

  private static List<Source> inputSources(Path file, List<String> header,
      Optional<DataLayout> layout, Set<Integer> labels, String labelColumn) {
    if (isMatrix(layout, header)) {
      List<Integer> features = new ArrayList<>();
      for (int c = 0; c < header.size(); c++) {
        if (!labels.contains(c)) {
          features.add(c);
        }
      }
      if (features.isEmpty()) {
        throw new DataException("CSV '" + file + "' has only the label column"
            + (labels.size() == 1 ? " '" + header.get(labels.iterator().next()) + "'" : "s")
            + " and no feature columns");
      }
      String key = layout.map(l -> l.inputs().get(0).key()).orElse("x");
      boolean text = layout.map(l -> l.inputs().get(0).dtype().isString()).orElse(false);
      if (text && features.size() != 1) {
        throw new DataException("CSV '" + file + "' has " + features.size() + " feature columns,"
            + " but the model's input '" + key + "' takes one string per row: name the column '"
            + key + "'");
      }
      return List.of(new Source(key, features, text));
    }
    List<Source> sources = new ArrayList<>();
    for (DataLayout.Slot slot : layout.get().inputs()) {
      int index = column(header, slot.key());
      if (index < 0) {
        throw new DataException("CSV '" + file + "' has no column '" + slot.key() + "' for input '"
            + slot.key() + "' (each input is fed by the column of its name); columns: "
            + String.join(", ", header));
      }
      if (labels.contains(index)) {
        throw new DataException("CSV '" + file + "' column '" + header.get(index) + "' cannot be"
            + " both input '" + slot.key() + "' and a label column");
      }
      unique(file, header, index);
      long[] row = slot.rowShape();
      if (row.length > 1 || (row.length == 1 && row[0] != 1 && row[0] != -1)) {
        throw new DataException("CSV '" + file + "' column '" + header.get(index) + "' holds one"
            + " value per row, but input '" + slot.key() + "' takes rows of shape "
            + Arrays.toString(row).replace("-1", "?") + "; use an .npz file for it");
      }
      sources.add(new Source(slot.key(), List.of(index), slot.dtype().isString()));
    }
    return sources;
  }

  /** The index of the column named {@code key}: exactly, else after sanitizing both; or -1. */
  private static int column(List<String> header, String key) {
    int exact = header.indexOf(key);
    if (exact >= 0) {
      return exact;
    }
    String wanted = DataFile.sanitize(key);
    for (int c = 0; c < header.size(); c++) {
      if (DataFile.sanitize(header.get(c)).equals(wanted)) {
        return c;
      }
    }
    return -1;
  }

  private static void unique(Path file, List<String> header, int index) {
    if (header.lastIndexOf(header.get(index)) != index) {
      throw new DataException("CSV '" + file + "' has two columns named '" + header.get(index)
          + "'; each input and label column must be unique");
    }
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

  /**
   * The values read so far, by column, in growing primitive arrays (no boxing) or, for text
   * columns, one UTF-8 string per row; checked against the budget as they grow.
   */
  private static final class Columns {
    private final MemoryBudget budget;
    private final String what;
    private final double[][] numbers;
    private final byte[][][] texts;
    private final int numberColumns;
    private long textBytes;
    private int[] lines = new int[64];
    private int rows;

    Columns(int columnCount, List<Source> inputs, MemoryBudget budget, String what) {
      this.budget = budget;
      this.what = what;
      this.numbers = new double[columnCount][];
      this.texts = new byte[columnCount][][];
      for (Source input : inputs) {
        if (input.text()) {
          texts[input.columns().get(0)] = new byte[64][];
        }
      }
      int count = 0;
      for (int c = 0; c < columnCount; c++) {
        if (texts[c] == null) {
          numbers[c] = new double[64];
          count++;
        }
      }
      this.numberColumns = count;
    }

    boolean isText(int column) {
      return texts[column] != null;
    }

    void startRow(int line) {
      if (rows == lines.length) {
        long capacity = Math.max(64, (long) rows * 2);
        // Each row: a double per numeric column, 4 bytes of line number, a reference per text.
        long bytes = capacity * ((long) numberColumns * 8 + 4 + 8L * (texts.length
            - numberColumns)) + 2 * textBytes;
        if ((long) numberColumns * capacity > Integer.MAX_VALUE - 16) {
          throw new DataException(what + ": more than 2 GiB of features, which lrfinder cannot"
              + " hold in one array");
        }
        budget.require(bytes, what);
        int size = Math.toIntExact(capacity);
        for (int c = 0; c < numbers.length; c++) {
          if (numbers[c] != null) {
            numbers[c] = Arrays.copyOf(numbers[c], size);
          } else {
            texts[c] = Arrays.copyOf(texts[c], size);
          }
        }
        lines = Arrays.copyOf(lines, size);
      }
      lines[rows] = line;
      rows++;
    }

    void number(int column, double value) {
      numbers[column][rows - 1] = value;
    }

    void text(int column, String cell) {
      byte[] bytes = cell.getBytes(StandardCharsets.UTF_8);
      textBytes += bytes.length + 16;
      texts[column][rows - 1] = bytes;
    }

    HostArray texts(int column) {
      return HostArray.ofStrings(new long[] {rows}, Arrays.copyOf(texts[column], rows));
    }

    /** float32 {@code [rows, columns]} (each value was checked to fit as it was read). */
    HostArray features(List<Integer> columns) {
      int width = columns.size();
      float[] values = new float[Math.multiplyExact(rows, width)];
      for (int r = 0; r < rows; r++) {
        for (int j = 0; j < width; j++) {
          values[r * width + j] = (float) numbers[columns.get(j)][r];
        }
      }
      return HostArray.ofFloats(new long[] {rows, width}, values);
    }

    /** One column as {@code [rows]}: int64 when every value is an integer, else float32. */
    HostArray numbers(int index, Path file, String column) {
      double[] values = numbers[index];
      boolean integral = true;
      for (int i = 0; i < rows && integral; i++) {
        integral = values[i] == Math.rint(values[i]) && Math.abs(values[i]) < 0x1p53;
      }
      ByteBuffer buffer = ByteBuffer.allocate(rows * (integral ? 8 : 4))
          .order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < rows; i++) {
        if (integral) {
          buffer.putLong((long) values[i]);
        } else if (Float.isInfinite((float) values[i])) {
          throw new DataException("CSV '" + file + "' line " + lines[i] + " column '" + column
              + "' is too large for float32: " + values[i]);
        } else {
          buffer.putFloat((float) values[i]);
        }
      }
      return HostArray.of(integral ? DType.INT64 : DType.FLOAT32, new long[] {rows},
          buffer.array());
    }
  }
}
