package dev.lrfinder.report;

import java.awt.Font;
import java.awt.Graphics;
import java.awt.Graphics2D;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.util.Optional;
import org.jfree.svg.SVGGraphics2D;

/**
 * An {@link SVGGraphics2D} that writes the labels XChart draws as glyph outlines as
 * {@code <text>} instead ({@link TextOutlines}); everything else goes through unchanged.
 * {@code SVGGraphics2D} is final, hence the delegation of every other method.
 */
final class TextKeepingGraphics extends Graphics2D {
  private final SVGGraphics2D svg;
  private final TextOutlines outlines;

  TextKeepingGraphics(SVGGraphics2D svg, TextOutlines outlines) {
    this.svg = svg;
    this.outlines = outlines;
  }

  @Override
  public void fill(Shape shape) {
    Optional<TextOutlines.Text> text = outlines.read(shape);
    if (text.isPresent()) {
      write(text.get(), null);
      return;
    }
    // The y axis title is laid out flat, then turned a quarter to the left.
    text = outlines.read(AffineTransform.getRotateInstance(Math.PI / 2)
        .createTransformedShape(shape));
    if (text.isPresent()) {
      write(text.get(), AffineTransform.getRotateInstance(-Math.PI / 2));
      return;
    }
    svg.fill(shape);
  }

  private void write(TextOutlines.Text text, AffineTransform turn) {
    Font font = svg.getFont();
    AffineTransform transform = svg.getTransform();
    if (turn != null) {
      svg.transform(turn);
    }
    svg.setFont(text.font());
    svg.drawString(text.text(), text.x(), 0f);
    svg.setFont(font);
    svg.setTransform(transform);
  }

  @Override
  public Graphics create() {
    return new TextKeepingGraphics((SVGGraphics2D) svg.create(), outlines);
  }

  @Override
  public void addRenderingHints(java.util.Map<?, ?> a) {
    svg.addRenderingHints(a);
  }

  @Override
  public void clearRect(int a, int b, int c, int d) {
    svg.clearRect(a, b, c, d);
  }

  @Override
  public void clip(java.awt.Shape a) {
    svg.clip(a);
  }

  @Override
  public void clipRect(int a, int b, int c, int d) {
    svg.clipRect(a, b, c, d);
  }

  @Override
  public void copyArea(int a, int b, int c, int d, int e, int f) {
    svg.copyArea(a, b, c, d, e, f);
  }

  @Override
  public void dispose() {
    svg.dispose();
  }

  @Override
  public void draw(java.awt.Shape a) {
    svg.draw(a);
  }

  @Override
  public void drawArc(int a, int b, int c, int d, int e, int f) {
    svg.drawArc(a, b, c, d, e, f);
  }

  @Override
  public void drawGlyphVector(java.awt.font.GlyphVector a, float b, float c) {
    svg.drawGlyphVector(a, b, c);
  }

  @Override
  public boolean drawImage(java.awt.Image a, java.awt.geom.AffineTransform b, java.awt.image.ImageObserver c) {
    return svg.drawImage(a, b, c);
  }

  @Override
  public boolean drawImage(java.awt.Image a, int b, int c, java.awt.image.ImageObserver d) {
    return svg.drawImage(a, b, c, d);
  }

  @Override
  public void drawImage(java.awt.image.BufferedImage a, java.awt.image.BufferedImageOp b, int c, int d) {
    svg.drawImage(a, b, c, d);
  }

  @Override
  public boolean drawImage(java.awt.Image a, int b, int c, java.awt.Color d, java.awt.image.ImageObserver e) {
    return svg.drawImage(a, b, c, d, e);
  }

  @Override
  public boolean drawImage(java.awt.Image a, int b, int c, int d, int e, java.awt.image.ImageObserver f) {
    return svg.drawImage(a, b, c, d, e, f);
  }

  @Override
  public boolean drawImage(java.awt.Image a, int b, int c, int d, int e, java.awt.Color f, java.awt.image.ImageObserver g) {
    return svg.drawImage(a, b, c, d, e, f, g);
  }

  @Override
  public boolean drawImage(java.awt.Image a, int b, int c, int d, int e, int f, int g, int h, int i, java.awt.image.ImageObserver j) {
    return svg.drawImage(a, b, c, d, e, f, g, h, i, j);
  }

  @Override
  public boolean drawImage(java.awt.Image a, int b, int c, int d, int e, int f, int g, int h, int i, java.awt.Color j, java.awt.image.ImageObserver k) {
    return svg.drawImage(a, b, c, d, e, f, g, h, i, j, k);
  }

  @Override
  public void drawLine(int a, int b, int c, int d) {
    svg.drawLine(a, b, c, d);
  }

  @Override
  public void drawOval(int a, int b, int c, int d) {
    svg.drawOval(a, b, c, d);
  }

  @Override
  public void drawPolygon(int[] a, int[] b, int c) {
    svg.drawPolygon(a, b, c);
  }

  @Override
  public void drawPolyline(int[] a, int[] b, int c) {
    svg.drawPolyline(a, b, c);
  }

  @Override
  public void drawRenderableImage(java.awt.image.renderable.RenderableImage a, java.awt.geom.AffineTransform b) {
    svg.drawRenderableImage(a, b);
  }

  @Override
  public void drawRenderedImage(java.awt.image.RenderedImage a, java.awt.geom.AffineTransform b) {
    svg.drawRenderedImage(a, b);
  }

  @Override
  public void drawRoundRect(int a, int b, int c, int d, int e, int f) {
    svg.drawRoundRect(a, b, c, d, e, f);
  }

  @Override
  public void drawString(String a, float b, float c) {
    svg.drawString(a, b, c);
  }

  @Override
  public void drawString(String a, int b, int c) {
    svg.drawString(a, b, c);
  }

  @Override
  public void drawString(java.text.AttributedCharacterIterator a, float b, float c) {
    svg.drawString(a, b, c);
  }

  @Override
  public void drawString(java.text.AttributedCharacterIterator a, int b, int c) {
    svg.drawString(a, b, c);
  }

  @Override
  public void fillArc(int a, int b, int c, int d, int e, int f) {
    svg.fillArc(a, b, c, d, e, f);
  }

  @Override
  public void fillOval(int a, int b, int c, int d) {
    svg.fillOval(a, b, c, d);
  }

  @Override
  public void fillPolygon(int[] a, int[] b, int c) {
    svg.fillPolygon(a, b, c);
  }

  @Override
  public void fillRect(int a, int b, int c, int d) {
    svg.fillRect(a, b, c, d);
  }

  @Override
  public void fillRoundRect(int a, int b, int c, int d, int e, int f) {
    svg.fillRoundRect(a, b, c, d, e, f);
  }

  @Override
  public java.awt.Color getBackground() {
    return svg.getBackground();
  }

  @Override
  public java.awt.Shape getClip() {
    return svg.getClip();
  }

  @Override
  public java.awt.Rectangle getClipBounds() {
    return svg.getClipBounds();
  }

  @Override
  public java.awt.Color getColor() {
    return svg.getColor();
  }

  @Override
  public java.awt.Composite getComposite() {
    return svg.getComposite();
  }

  @Override
  public java.awt.GraphicsConfiguration getDeviceConfiguration() {
    return svg.getDeviceConfiguration();
  }

  @Override
  public java.awt.Font getFont() {
    return svg.getFont();
  }

  @Override
  public java.awt.FontMetrics getFontMetrics(java.awt.Font a) {
    return svg.getFontMetrics(a);
  }

  @Override
  public java.awt.font.FontRenderContext getFontRenderContext() {
    return svg.getFontRenderContext();
  }

  @Override
  public java.awt.Paint getPaint() {
    return svg.getPaint();
  }

  @Override
  public Object getRenderingHint(java.awt.RenderingHints.Key a) {
    return svg.getRenderingHint(a);
  }

  @Override
  public java.awt.RenderingHints getRenderingHints() {
    return svg.getRenderingHints();
  }

  @Override
  public java.awt.Stroke getStroke() {
    return svg.getStroke();
  }

  @Override
  public java.awt.geom.AffineTransform getTransform() {
    return svg.getTransform();
  }

  @Override
  public boolean hit(java.awt.Rectangle a, java.awt.Shape b, boolean c) {
    return svg.hit(a, b, c);
  }

  @Override
  public void rotate(double a) {
    svg.rotate(a);
  }

  @Override
  public void rotate(double a, double b, double c) {
    svg.rotate(a, b, c);
  }

  @Override
  public void scale(double a, double b) {
    svg.scale(a, b);
  }

  @Override
  public void setBackground(java.awt.Color a) {
    svg.setBackground(a);
  }

  @Override
  public void setClip(java.awt.Shape a) {
    svg.setClip(a);
  }

  @Override
  public void setClip(int a, int b, int c, int d) {
    svg.setClip(a, b, c, d);
  }

  @Override
  public void setColor(java.awt.Color a) {
    svg.setColor(a);
  }

  @Override
  public void setComposite(java.awt.Composite a) {
    svg.setComposite(a);
  }

  @Override
  public void setFont(java.awt.Font a) {
    svg.setFont(a);
  }

  @Override
  public void setPaint(java.awt.Paint a) {
    svg.setPaint(a);
  }

  @Override
  public void setPaintMode() {
    svg.setPaintMode();
  }

  @Override
  public void setRenderingHint(java.awt.RenderingHints.Key a, Object b) {
    svg.setRenderingHint(a, b);
  }

  @Override
  public void setRenderingHints(java.util.Map<?, ?> a) {
    svg.setRenderingHints(a);
  }

  @Override
  public void setStroke(java.awt.Stroke a) {
    svg.setStroke(a);
  }

  @Override
  public void setTransform(java.awt.geom.AffineTransform a) {
    svg.setTransform(a);
  }

  @Override
  public void setXORMode(java.awt.Color a) {
    svg.setXORMode(a);
  }

  @Override
  public void shear(double a, double b) {
    svg.shear(a, b);
  }

  @Override
  public void transform(java.awt.geom.AffineTransform a) {
    svg.transform(a);
  }

  @Override
  public void translate(double a, double b) {
    svg.translate(a, b);
  }

  @Override
  public void translate(int a, int b) {
    svg.translate(a, b);
  }
}
