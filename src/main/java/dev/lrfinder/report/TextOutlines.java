package dev.lrfinder.report;

import java.awt.Font;
import java.awt.Shape;
import java.awt.font.FontRenderContext;
import java.awt.font.GlyphVector;
import java.awt.font.TextLayout;
import java.awt.geom.PathIterator;
import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads back the text in a glyph outline. XChart draws every label as the outline of a
 * {@link TextLayout} ({@code getOutline(null)}, then {@code fill}), so a vector encoder would
 * write the text as paths: large, and neither selectable nor searchable. This matches the
 * outline glyph by glyph against the outlines of the fonts the chart uses (same font, same
 * rendering context, so the same numbers up to the pen offset), and accepts a reading only when
 * laying the read text out again gives the outline's bounds. Characters drawn alike (Latin and
 * Cyrillic "a") read as in the chart's own labels where one matches. An outline it cannot read
 * (a character no table has) stays a shape: the chart looks the same, that label is not text.
 */
final class TextOutlines {
  /** How far a coordinate may drift when the same glyph is placed at another pen position. */
  private static final double TOLERANCE = 0.02;
  /** Printable ASCII plus the few other characters the report's labels use. */
  private static final String CHARACTERS = printableAscii() + "\u00d7\u2013\u2014\u2212\u2026";

  private final List<FontGlyphs> fonts;
  private final FontRenderContext context;
  private final List<String> labels;

  /**
   * Glyph tables for {@code fonts} as laid out in {@code context}, covering printable ASCII, a
   * few symbols and every character of {@code labels} (the chart's titles and legend entries).
   */
  TextOutlines(List<Font> fonts, FontRenderContext context, List<String> labels) {
    StringBuilder characters = new StringBuilder(CHARACTERS);
    labels.forEach(characters::append);
    int[] codePoints = characters.codePoints().distinct().toArray();
    this.fonts = fonts.stream().distinct().map(f -> new FontGlyphs(f, context, codePoints))
        .toList();
    this.context = context;
    this.labels = List.copyOf(labels);
  }

  /** One line of text read from an outline: drawn at {@code (x, 0)} in the outline's space. */
  record Text(String text, Font font, float x) {}

  /** The text whose outline {@code shape} is, if it is one in one of the fonts. */
  Optional<Text> read(Shape shape) {
    List<Contour> contours = Contour.of(shape);
    if (contours.isEmpty()) {
      return Optional.empty();
    }
    for (FontGlyphs font : fonts) {
      Optional<Text> text = font.read(contours, labels);
      if (text.isPresent() && laysOutAs(text.get(), shape)) {
        return text;
      }
    }
    return Optional.empty();
  }

  private boolean laysOutAs(Text text, Shape shape) {
    Rectangle2D expected = shape.getBounds2D();
    Rectangle2D laidOut = new TextLayout(text.text(), text.font(), context).getOutline(null)
        .getBounds2D();
    return Math.abs(laidOut.getMinX() + text.x() - expected.getMinX()) < 0.5
        && Math.abs(laidOut.getMaxX() + text.x() - expected.getMaxX()) < 0.5
        && Math.abs(laidOut.getMinY() - expected.getMinY()) < 0.5
        && Math.abs(laidOut.getMaxY() - expected.getMaxY()) < 0.5;
  }

  private static String printableAscii() {
    StringBuilder ascii = new StringBuilder();
    for (char c = 0x21; c < 0x7f; c++) {
      ascii.append(c);
    }
    return ascii.toString();
  }

  /**
   * One closed piece of an outline: its segment types, and its coordinates relative to its
   * first point (so that the same glyph at another pen position reads the same).
   */
  private record Contour(byte[] types, float[] relative, float startX, float startY) {
    static List<Contour> of(Shape shape) {
      List<Contour> contours = new ArrayList<>();
      PathIterator path = shape.getPathIterator(null);
      float[] point = new float[6];
      ByteList types = new ByteList();
      FloatList coords = new FloatList();
      float startX = 0;
      float startY = 0;
      while (!path.isDone()) {
        int type = path.currentSegment(point);
        if (type == PathIterator.SEG_MOVETO) {
          if (types.size > 0) {
            contours.add(new Contour(types.toArray(), coords.toArray(), startX, startY));
            types = new ByteList();
            coords = new FloatList();
          }
          startX = point[0];
          startY = point[1];
        }
        types.add((byte) type);
        int n = switch (type) {
          case PathIterator.SEG_MOVETO, PathIterator.SEG_LINETO -> 1;
          case PathIterator.SEG_QUADTO -> 2;
          case PathIterator.SEG_CUBICTO -> 3;
          default -> 0;
        };
        for (int i = 0; i < n; i++) {
          coords.add(point[2 * i] - startX);
          coords.add(point[2 * i + 1] - startY);
        }
        path.next();
      }
      if (types.size > 0) {
        contours.add(new Contour(types.toArray(), coords.toArray(), startX, startY));
      }
      return contours;
    }

    boolean sameShape(Contour other) {
      if (!Arrays.equals(types, other.types) || relative.length != other.relative.length) {
        return false;
      }
      for (int i = 0; i < relative.length; i++) {
        if (Math.abs(relative[i] - other.relative[i]) > TOLERANCE) {
          return false;
        }
      }
      return true;
    }

    String signature() {
      return Arrays.toString(types);
    }
  }

  /** One character's outline in one font, at the origin, and how far it moves the pen. */
  private record Glyph(String text, List<Contour> contours, float advance) {
    /** Whether the two are drawn alike: same contours, same places, same advance. */
    boolean looksLike(Glyph other) {
      if (contours.size() != other.contours.size()
          || Math.abs(advance - other.advance) > TOLERANCE) {
        return false;
      }
      for (int i = 0; i < contours.size(); i++) {
        Contour mine = contours.get(i);
        Contour theirs = other.contours.get(i);
        if (!mine.sameShape(theirs) || Math.abs(mine.startX() - theirs.startX()) > TOLERANCE
            || Math.abs(mine.startY() - theirs.startY()) > TOLERANCE) {
          return false;
        }
      }
      return true;
    }
  }

  /** The glyphs of one font, found by the shape of their first contour. */
  private static final class FontGlyphs {
    private final Font font;
    private final Map<String, List<Glyph>> byFirstContour = new HashMap<>();
    /** Each character to those drawn with the same outline (itself first). */
    private final Map<String, Set<String>> alike = new HashMap<>();
    private final float spaceAdvance;

    FontGlyphs(Font font, FontRenderContext context, int[] codePoints) {
      this.font = font;
      for (int codePoint : codePoints) {
        if (!font.canDisplay(codePoint) || Character.isWhitespace(codePoint)) {
          continue;
        }
        String text = new String(Character.toChars(codePoint));
        GlyphVector vector = font.createGlyphVector(context, text);
        List<Contour> contours = Contour.of(vector.getGlyphOutline(0));
        if (contours.isEmpty()) {
          continue;
        }
        Glyph glyph = new Glyph(text, contours, vector.getGlyphMetrics(0).getAdvanceX());
        List<Glyph> similar = byFirstContour.computeIfAbsent(contours.get(0).signature(),
            k -> new ArrayList<>());
        Set<String> same = new LinkedHashSet<>(List.of(text));
        for (Glyph other : similar) {
          if (other.looksLike(glyph)) {
            alike.get(other.text()).add(text);
            same.add(other.text());
          }
        }
        alike.put(text, same);
        if (similar.stream().noneMatch(other -> other.looksLike(glyph))) {
          similar.add(glyph);
        }
      }
      spaceAdvance = font.createGlyphVector(context, " ").getGlyphMetrics(0).getAdvanceX();
    }

    /**
     * The text of {@code contours}; where characters look alike (Latin and Cyrillic "a"), the
     * one of {@code labels} that reads the same, if any.
     */
    Optional<Text> read(List<Contour> contours, List<String> labels) {
      List<Set<String>> read = new ArrayList<>();
      float firstX = 0;
      float pen = Float.NaN;
      int i = 0;
      while (i < contours.size()) {
        Contour first = contours.get(i);
        Glyph match = null;
        for (Glyph glyph : byFirstContour.getOrDefault(first.signature(), List.of())) {
          if ((match == null || glyph.contours().size() > match.contours().size())
              && matchesAt(glyph, contours, i)) {
            match = glyph;
          }
        }
        if (match == null) {
          return Optional.empty();
        }
        Contour start = match.contours().get(0);
        float originX = first.startX() - start.startX();
        float originY = first.startY() - start.startY();
        if (Math.abs(originY) > TOLERANCE) {
          return Optional.empty();
        }
        if (Float.isNaN(pen)) {
          firstX = originX;
        } else {
          long spaces = Math.round((originX - pen) / spaceAdvance);
          if (spaces < 0) {
            return Optional.empty();
          }
          for (long n = 0; n < spaces; n++) {
            read.add(Set.of(" "));
          }
        }
        read.add(alike.get(match.text()));
        pen = originX + match.advance();
        i += match.contours().size();
      }
      String text = labels.stream().filter(label -> readsAs(label, read)).findFirst()
          .orElseGet(() -> read.stream().map(c -> c.iterator().next())
              .collect(Collectors.joining()));
      return Optional.of(new Text(text, font, firstX));
    }

    private static boolean readsAs(String label, List<Set<String>> read) {
      int[] codePoints = label.codePoints().toArray();
      if (codePoints.length != read.size()) {
        return false;
      }
      for (int i = 0; i < codePoints.length; i++) {
        if (!read.get(i).contains(new String(Character.toChars(codePoints[i])))) {
          return false;
        }
      }
      return true;
    }

    /** Whether {@code glyph}'s contours are those from {@code from} on, placed alike. */
    private static boolean matchesAt(Glyph glyph, List<Contour> contours, int from) {
      List<Contour> own = glyph.contours();
      if (from + own.size() > contours.size()) {
        return false;
      }
      Contour ownFirst = own.get(0);
      Contour first = contours.get(from);
      for (int j = 0; j < own.size(); j++) {
        Contour mine = own.get(j);
        Contour theirs = contours.get(from + j);
        if (!mine.sameShape(theirs)
            || Math.abs((mine.startX() - ownFirst.startX())
                - (theirs.startX() - first.startX())) > TOLERANCE
            || Math.abs((mine.startY() - ownFirst.startY())
                - (theirs.startY() - first.startY())) > TOLERANCE) {
          return false;
        }
      }
      return true;
    }
  }

  private static final class ByteList {
    private byte[] items = new byte[16];
    private int size;

    void add(byte item) {
      if (size == items.length) {
        items = Arrays.copyOf(items, size * 2);
      }
      items[size++] = item;
    }

    byte[] toArray() {
      return Arrays.copyOf(items, size);
    }
  }

  private static final class FloatList {
    private float[] items = new float[32];
    private int size;

    void add(float item) {
      if (size == items.length) {
        items = Arrays.copyOf(items, size * 2);
      }
      items[size++] = item;
    }

    float[] toArray() {
      return Arrays.copyOf(items, size);
    }
  }
}
