package dev.lrfinder.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lrfinder.rangetest.OptimizerCurve;
import dev.lrfinder.rangetest.RangeTestConfig;
import dev.lrfinder.suggest.Suggestion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HtmlReportTest {
  @TempDir Path dir;

  @Test
  void showsTheModelEveryOptimizerAndEverySuggestion() throws IOException {
    ReportInput input = Fixtures.threeOptimizers();
    Path written = new ReportWriter().write(input, dir, null);

    String html = Files.readString(written.resolve("index.html"));

    assertTrue(html.contains("<title>Learning-rate range test: mnist_cnn</title>"));
    int suggestionsChecked = 0;
    for (OptimizerCurve curve : input.result().curves()) {
      assertTrue(html.contains(">" + curve.optimizer() + "<"), curve.optimizer());
      for (Suggestion s : input.suggestionsFor(curve.optimizer())) {
        String shown = s.found() ? String.format(Locale.ROOT, "%.1e", s.learningRate())
            : "none: " + Format.html(s.note());
        assertTrue(html.contains(shown), curve.optimizer() + " " + s.rule() + " " + shown);
        suggestionsChecked++;
      }
    }
    assertTrue(suggestionsChecked >= 21);
    assertFalse(html.contains("<img"), "charts are inline, not linked");
    assertEquals(Charts.FILE_NAMES.size(), html.split("<svg ", -1).length - 1);
    for (String chart : Charts.FILE_NAMES) {
      assertTrue(html.contains("also beside this page as " + chart), chart);
      assertTrue(Files.size(written.resolve(chart)) > 0, "the PNG stays for slides: " + chart);
    }
  }

  @Test
  void isSelfContained() {
    String html = HtmlReport.render(Fixtures.threeOptimizers()).toLowerCase(Locale.ROOT);

    assertFalse(html.contains("http"), "refers to the network");
    assertFalse(html.contains("<script"), "needs no scripts");
    assertFalse(html.contains("<link"), "needs no external stylesheet");
    assertFalse(html.contains("<img"), "shows no image file");
    assertFalse(html.contains("src="), "loads nothing");
    assertTrue(html.contains("<style>"));
    // Links to the machine-readable files are the only references to other files.
    List<String> hrefs = java.util.regex.Pattern.compile("(?:href|xlink:href|url)[=(]\"?([^\")]+)")
        .matcher(html).results().map(m -> m.group(1)).toList();
    for (String href : hrefs) {
      assertTrue(href.startsWith("#") || href.equals(ResultJson.FILE_NAME)
          || href.equals(CurvesCsv.FILE_NAME), href);
    }
  }

  @Test
  void chartsAreVectorsWhoseLabelsStayText() throws Exception {
    String html = HtmlReport.render(Fixtures.threeOptimizers());
    List<String> svgs = java.util.regex.Pattern.compile("<svg .*?</svg>",
        java.util.regex.Pattern.DOTALL).matcher(html).results().map(m -> m.group()).toList();
    assertEquals(3, svgs.size());
    javax.xml.parsers.DocumentBuilderFactory factory =
        javax.xml.parsers.DocumentBuilderFactory.newInstance();
    java.util.Set<String> ids = new java.util.HashSet<>();
    for (String svg : svgs) {
      // Well-formed XML as well as HTML: parse it as SVG to count its parts.
      org.w3c.dom.Element root = factory.newDocumentBuilder().parse(new org.xml.sax.InputSource(
          new java.io.StringReader(svg))).getDocumentElement();
      assertEquals("0 0 1200 800", root.getAttribute("viewBox"));
      assertEquals("1200", root.getAttribute("width"));
      assertEquals("800", root.getAttribute("height"));
      assertFalse(root.getAttribute("aria-label").isBlank());
      assertEquals(0, root.getElementsByTagName("image").getLength(), "no bitmap inside");
      org.w3c.dom.NodeList texts = root.getElementsByTagName("text");
      List<String> labels = new java.util.ArrayList<>();
      for (int i = 0; i < texts.getLength(); i++) {
        labels.add(texts.item(i).getTextContent());
      }
      assertTrue(labels.size() >= 12, labels.toString());
      assertTrue(labels.stream().anyMatch(l -> l.startsWith("mnist_cnn: ")), labels.toString());
      // Every label XChart drew came back as text: no glyph outline is left as a path.
      org.w3c.dom.NodeList paths = root.getElementsByTagName("path");
      for (int i = 0; i < paths.getLength(); i++) {
        String d = ((org.w3c.dom.Element) paths.item(i)).getAttribute("d");
        assertFalse(d.contains("Q") && d.length() > 400,
            () -> "a glyph outline left as a path: " + d.substring(0, 120));
      }
      org.w3c.dom.NodeList all = root.getElementsByTagName("*");
      for (int i = 0; i < all.getLength(); i++) {
        String id = ((org.w3c.dom.Element) all.item(i)).getAttribute("id");
        assertTrue(id.isEmpty() || ids.add(id), "id used twice on the page: " + id);
      }
    }
    assertTrue(svgs.get(0).contains(">learning rate (log scale)</text>"));
    assertTrue(svgs.get(0).contains(">adam valley 1.0e-03</text>"));
    assertTrue(svgs.get(0).contains(">1E-3</text>"));
    assertTrue(svgs.get(2).contains(">step (counted from 0)</text>"));
  }

  @Test
  void markupInNamesAndWarningsIsShownAsText() {
    OptimizerCurve curve = Fixtures.threeOptimizers().result().curves().get(0);
    OptimizerCurve renamed = new OptimizerCurve("a<script>alert(1)</script>&b", curve.learningRates(),
        curve.trainLosses(), curve.losses(), curve.smoothedLosses(), curve.stopReason(),
        curve.plannedSteps(), curve.bestSmoothedLoss(), curve.seconds(), curve.secondsInModel());
    ReportInput input = Fixtures.input("<script>alert('m')</script> & co", Fixtures.config(),
        List.of(renamed)).withWarnings(List.of("rows <script>x</script> & more"));

    String html = HtmlReport.render(input);

    assertFalse(html.toLowerCase(Locale.ROOT).contains("<script"), html);
    assertTrue(html.contains("<title>Learning-rate range test: &lt;script&gt;alert(&#39;m&#39;)"
        + "&lt;/script&gt; &amp; co</title>"));
    assertTrue(html.contains("<li>rows &lt;script&gt;x&lt;/script&gt; &amp; more</li>"));
    assertTrue(html.contains("a&lt;script&gt;alert(1)&lt;/script&gt;&amp;b</td>"));
    // Drawn into the chart's title and legend, the names stay text there too.
    assertTrue(html.contains(">&lt;script&gt;alert('m')&lt;/script&gt; &amp; co: loss vs learning"
        + " rate</text>") || html.contains(">&lt;script&gt;alert(&apos;m&apos;)&lt;/script&gt;"
        + " &amp; co: loss vs learning rate</text>"), "chart title");
  }

  @Test
  void recordsContractSettingsAndEnvironment() {
    ReportInput input = Fixtures.threeOptimizers();

    String html = HtmlReport.render(input);

    assertTrue(html.contains("x: uint8[?, 28, 28, 1]"));
    assertTrue(html.contains("sparse_categorical_crossentropy"));
    assertTrue(html.contains("421,642 (421,642 trainable)"));
    assertTrue(html.contains("beta_1&#61;0.9"), "config values are listed (= escaped too)");
    assertFalse(html.contains("clipnorm"), "null config values are left out");
    assertTrue(html.contains("1.0e-7 to 10, exponential schedule"));
    assertTrue(html.contains("100 steps: 100 planned steps, 938 steps per epoch"));
    assertTrue(html.contains("<dt>smoothing beta</dt><dd>0.98</dd>"));
    assertTrue(html.contains("<dt>stop factor</dt><dd>4 (stop when"));
    assertTrue(html.contains("<dt>batch size</dt><dd>64</dd>"));
    assertTrue(html.contains("<dt>training rows</dt><dd>60000</dd>"));
    assertTrue(html.contains("<dt>TensorFlow</dt><dd>2.18.0</dd>"));
    assertTrue(html.contains("<dt>Java</dt><dd>17.0.15</dd>"));
    assertTrue(html.contains("2025-03-04T05:06:07Z"));
    assertTrue(html.contains("<code>lrfinder find savedmodels/mnist_cnn --optimizers adam,sgd</code>"));
  }

  @Test
  void stopFactorZeroReadsOff() {
    RangeTestConfig config = Fixtures.config().toBuilder().stopFactor(0).build();
    ReportInput input = Fixtures.input("m", config, Fixtures.threeOptimizers().result().curves());

    assertTrue(HtmlReport.render(input).contains("<dt>stop factor</dt><dd>off</dd>"));
  }

  @Test
  void escapesEverythingItShows() {
    OptimizerCurve curve = Fixtures.threeOptimizers().result().curves().get(0);
    OptimizerCurve renamed = new OptimizerCurve("<i>adam</i>", curve.learningRates(),
        curve.trainLosses(), curve.losses(), curve.smoothedLosses(), curve.stopReason(),
        curve.plannedSteps(), curve.bestSmoothedLoss(), curve.seconds(), curve.secondsInModel());
    ReportInput input = Fixtures.input("<b>m&m's</b>", Fixtures.config(), List.of(renamed),
        Map.of("<i>adam</i>", List.of(Suggestion.none("steep", "a \"quoted\" <note>"))));

    String html = HtmlReport.render(input);

    assertFalse(html.contains("<b>m&"));
    assertFalse(html.contains("<i>adam"));
    assertFalse(html.contains("<note>"));
    assertTrue(html.contains("&lt;b&gt;m&amp;m&#39;s&lt;/b&gt;"));
    assertTrue(html.contains("none: a &quot;quoted&quot; &lt;note&gt;"));
    assertEquals(html.indexOf("<html"), html.lastIndexOf("<html"));
  }
  @Test
  void warningsAndALossThatNeverFellComeFirstInEveryForm() throws Exception {
    ReportInput input = Fixtures.unscaledRegression()
        .withWarnings(List.of("the regression targets look unscaled: the loss starts at 1.4e13"));
    assertEquals(List.of("sgd"), input.result().curves().stream().filter(input::neverFell)
        .map(OptimizerCurve::optimizer).toList(), "sgd rises from the start; adam falls");

    String html = HtmlReport.render(input);
    int first = html.indexOf("<h2>Read this first</h2>");
    assertTrue(first > 0 && first < html.indexOf("<h2>Summary</h2>"), "before the numbers");
    assertTrue(html.contains("<li>the regression targets look unscaled: the loss starts at"
        + " 1.4e13</li>"));
    assertTrue(html.contains("<li>sgd: the loss never fell below its starting value"), html);
    assertTrue(html.contains("none: the loss never fell below its starting value (see above)"));

    com.fasterxml.jackson.databind.JsonNode root = new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(ResultJson.toJson(input));
    assertEquals(2, root.get("warnings").size());
    assertTrue(root.get("warnings").get(1).asText().startsWith("sgd: the loss never fell"));
    assertTrue(root.get("optimizers").get(0).get("descent").get("loss_fell").asBoolean());
    assertFalse(root.get("optimizers").get(1).get("descent").get("loss_fell").asBoolean());

    String table = SummaryTable.render(input);
    assertTrue(table.lines().anyMatch(l -> l.startsWith("sgd: the loss never fell below its"
        + " starting value") && l.endsWith("suggestions are none")), table);
  }
}
