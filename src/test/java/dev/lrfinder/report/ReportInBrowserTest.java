package dev.lrfinder.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Renders a written report in headless Chromium (Debian's {@code chromium} and
 * {@code chromedriver}, installed by {@code scripts/setup-browser}) and checks the page as the
 * browser laid it out: every chart there with a real size, its labels laid out as text, and no
 * request for any file but {@code index.html}. The report is served over HTTP from a local
 * server that records every request. Skips only where no chromium is installed; set
 * {@code -Dlrfinder.reportScreenshot=FILE.png} to keep a screenshot of the page.
 */
class ReportInBrowserTest {
  private static final List<Path> CHROMIUM = List.of(Path.of("/usr/bin/chromium"),
      Path.of("/usr/bin/chromium-browser"), Path.of("/usr/bin/google-chrome"));
  private static final List<Path> DRIVER = List.of(Path.of("/usr/bin/chromedriver"),
      Path.of("/usr/lib/chromium/chromedriver"));

  @TempDir Path dir;

  @Test
  void theBrowserShowsEveryChartAndFetchesNothingElse() throws Exception {
    Optional<Path> chromium = firstExecutable(CHROMIUM);
    Assumptions.assumeTrue(chromium.isPresent(), "no chromium installed (looked for " + CHROMIUM
        + "): run scripts/setup-browser to check the report in a browser");
    Path driverBinary = firstExecutable(DRIVER).orElseThrow(() -> new AssertionError(
        "chromium is installed but chromedriver is not: run scripts/setup-browser"));
    Path report = new ReportWriter().write(Fixtures.threeOptimizers(), dir, null);

    Set<String> requested = new TreeSet<>();
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(),
        0), 0);
    server.createContext("/", exchange -> serve(exchange, report, requested));
    server.start();
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(driverBinary.toFile()).usingAnyFreePort().build();
    ChromeOptions options = new ChromeOptions().setBinary(chromium.get().toFile())
        .addArguments("--headless=new", "--no-sandbox", "--disable-gpu",
            "--disable-dev-shm-usage", "--window-size=1280,1000", "--hide-scrollbars");
    ChromeDriver browser = new ChromeDriver(service, options);
    try {
      browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
      browser.get("http://127.0.0.1:" + server.getAddress().getPort() + "/index.html");
      JavascriptExecutor js = browser;

      assertEquals("Learning-rate range test: mnist_cnn", browser.getTitle());
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> charts = (List<Map<String, Object>>) js.executeScript(
          "return Array.from(document.querySelectorAll('figure')).map(f => {"
              + " const svg = f.querySelector('svg');"
              + " const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};"
              + " const texts = svg ? Array.from(svg.querySelectorAll('text')) : [];"
              + " return {width: box.width, height: box.height, texts: texts.length,"
              + "   shownTexts: texts.filter(t => t.getBBox().width > 0).length,"
              + "   title: texts.map(t => t.textContent).find(t => t.startsWith('mnist_cnn')) || ''};"
              + "});");
      assertEquals(Charts.FILE_NAMES.size(), charts.size(), charts.toString());
      for (Map<String, Object> chart : charts) {
        double width = ((Number) chart.get("width")).doubleValue();
        double height = ((Number) chart.get("height")).doubleValue();
        assertTrue(width > 600 && height > 400, "rendered " + width + "x" + height);
        assertEquals(1.5, width / height, 0.02, "keeps its 1200x800 shape");
        long texts = ((Number) chart.get("texts")).longValue();
        assertTrue(texts >= 12, "labels laid out as text: " + chart);
        assertEquals(texts, ((Number) chart.get("shownTexts")).longValue(), chart.toString());
        assertTrue(chart.get("title").toString().startsWith("mnist_cnn: "), chart.toString());
      }
      Number images = (Number) js.executeScript(
          "return document.images.length + document.querySelectorAll('link,script,iframe,"
              + "object,embed,image,use').length;");
      assertEquals(0, images.intValue(), "nothing on the page loads another file");

      String screenshot = System.getProperty("lrfinder.reportScreenshot", "");
      if (!screenshot.isEmpty()) {
        js.executeScript("window.scrollTo(0, document.querySelector('figure').offsetTop - 20)");
        Files.write(Path.of(screenshot), browser.getScreenshotAs(
            OutputType.BYTES));
      }
    } finally {
      browser.quit();
      server.stop(0);
    }
    synchronized (requested) {
      requested.remove("/favicon.ico");
      assertEquals(Set.of("/index.html"), requested, "the page fetched other files");
    }
  }

  private static void serve(HttpExchange exchange, Path report, Set<String> requested)
      throws IOException {
    String path = exchange.getRequestURI().getPath();
    synchronized (requested) {
      requested.add(path);
    }
    Path file = report.resolve(path.substring(1)).normalize();
    if (!file.startsWith(report) || !Files.isRegularFile(file)) {
      exchange.sendResponseHeaders(404, -1);
      exchange.close();
      return;
    }
    byte[] body = Files.readAllBytes(file);
    exchange.getResponseHeaders().set("Content-Type",
        path.endsWith(".html") ? "text/html; charset=utf-8" : "application/octet-stream");
    exchange.sendResponseHeaders(200, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private static Optional<Path> firstExecutable(List<Path> candidates) {
    return candidates.stream().filter(Files::isExecutable).findFirst();
  }
}
