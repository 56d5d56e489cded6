package dev.lrfinder.examples.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The service over real HTTP (java.net.http.HttpClient against the server on an ephemeral port),
 * on the bundled {@code savedmodels/blobs_mlp} and its data.
 */
class RangeTestServiceTest {
  private static final Path ROOT =
      Path.of(System.getProperty("lrfinder.projectRoot", "../..")).toAbsolutePath().normalize();
  private static final String MODEL = "savedmodels/blobs_mlp";
  private static final String DATA = "savedmodels/blobs_mlp.npz";
  private static final Duration JOB_TIMEOUT = Duration.ofMinutes(3);
  private static final ObjectMapper JSON = new ObjectMapper();

  private static RangeTestService service;
  private static HttpClient client;

  @BeforeAll
  static void start() throws IOException {
    service = RangeTestService.start(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), ROOT, 2);
    client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  }

  @AfterAll
  static void stop() {
    if (service != null) {
      service.close();
    }
  }

  @Test
  void aJobRunsToDoneWithSuggestions() throws Exception {
    HttpResponse<String> posted = post("""
        {"model": "%s", "data": "%s",
         "rangeTest": {"steps": 100, "batchSize": 64, "optimizers": ["adam", "sgd"]}}
        """.formatted(MODEL, DATA));
    assertEquals(202, posted.statusCode(), posted.body());
    JsonNode accepted = JSON.readTree(posted.body());
    String id = accepted.get("id").asText();
    assertEquals("/jobs/" + id, posted.headers().firstValue("Location").orElseThrow());

    JsonNode job = awaitEnd(id);
    assertEquals("done", job.get("state").asText(), job.toString());
    JsonNode optimizers = job.get("result").get("optimizers");
    assertEquals(List.of("adam", "sgd"),
        Stream.of(optimizers.get(0), optimizers.get(1)).map(o -> o.get("optimizer").asText())
            .toList());
    for (JsonNode optimizer : optimizers) {
      JsonNode rates = optimizer.get("lr");
      double low = rates.get(0).asDouble();
      double high = rates.get(rates.size() - 1).asDouble();
      long found = 0;
      for (JsonNode suggestion : optimizer.get("suggestions")) {
        if (suggestion.get("lr").isNumber()) {
          double rate = suggestion.get("lr").asDouble();
          assertTrue(rate >= low && rate <= high, suggestion + " outside the curve " + low + ".."
              + high);
          found++;
        }
      }
      assertTrue(found > 0, "no suggestion: " + optimizer.get("descent"));
    }
    // The progress is the run's last step: the last optimizer's last point of the curve.
    JsonNode progress = job.get("progress");
    JsonNode sgd = optimizers.get(1);
    assertEquals("sgd", progress.get("optimizer").asText());
    assertEquals(100, progress.get("plannedSteps").asLong());
    assertEquals(sgd.get("steps_run").asLong() - 1, progress.get("step").asLong());
    assertEquals(sgd.get("lr").get(sgd.get("lr").size() - 1).asDouble(),
        progress.get("learningRate").asDouble());
  }

  @Test
  void deleteCancelsALongerJobAndLeavesTheModelAsItWas() throws Exception {
    String before = checksum(ROOT.resolve(MODEL));
    // Low rates and no divergence stop: this job would run for many minutes.
    HttpResponse<String> posted = post("""
        {"model": "%s", "data": "%s", "rangeTest": {"steps": 200000, "batchSize": 32,
         "startLr": 1e-6, "endLr": 1e-4, "stopFactor": 0, "optimizers": ["adam"]}}
        """.formatted(MODEL, DATA));
    assertEquals(202, posted.statusCode(), posted.body());
    String id = JSON.readTree(posted.body()).get("id").asText();

    long deadline = System.nanoTime() + JOB_TIMEOUT.toNanos();
    JsonNode job = get(id);
    while (job.get("progress").get("step").asLong() < 5) {
      assertTrue(System.nanoTime() < deadline, "no progress: " + job);
      assertTrue(List.of("queued", "running").contains(job.get("state").asText()), job.toString());
      Thread.sleep(100);
      job = get(id);
    }
    assertEquals("running", job.get("state").asText());

    HttpResponse<String> deleted = send(HttpRequest.newBuilder(uri("jobs/" + id)).DELETE());
    assertEquals(202, deleted.statusCode(), deleted.body());
    JsonNode cancelled = awaitEnd(id);
    assertEquals("cancelled", cancelled.get("state").asText(), cancelled.toString());
    assertFalse(cancelled.has("result"), cancelled.toString());
    long stoppedAt = cancelled.get("progress").get("step").asLong();
    assertTrue(stoppedAt >= 5 && stoppedAt < 199_999, cancelled.toString());
    Thread.sleep(300);
    assertEquals(stoppedAt, get(id).get("progress").get("step").asLong(), "still stepping");

    HttpResponse<String> again = send(HttpRequest.newBuilder(uri("jobs/" + id)).DELETE());
    assertEquals(409, again.statusCode(), again.body());
    assertEquals(before, checksum(ROOT.resolve(MODEL)), "the model on disk changed");
  }

  @Test
  void aJobThatCannotRunReadsFailedWithOneLine() throws Exception {
    HttpResponse<String> posted = post("""
        {"model": "%s", "data": "%s", "rangeTest": {"steps": 20, "optimizers": ["nadamax"]}}
        """.formatted(MODEL, DATA));
    assertEquals(202, posted.statusCode(), posted.body());
    JsonNode job = awaitEnd(JSON.readTree(posted.body()).get("id").asText());
    assertEquals("failed", job.get("state").asText(), job.toString());
    String error = job.get("error").asText();
    assertTrue(error.contains("nadamax"), error);
    assertFalse(error.contains("\n") || error.contains("Exception"), error);
  }

  static Stream<Arguments> badRequests() {
    String ok = "\"model\": \"" + MODEL + "\", \"data\": \"" + DATA + "\"";
    return Stream.of(
        Arguments.of("not json", "not valid JSON"),
        Arguments.of("[1, 2]", "must be a JSON object"),
        Arguments.of("{\"data\": \"" + DATA + "\"}", "model: a path is required"),
        Arguments.of("{\"model\": \"savedmodels/no_such_model\", \"data\": \"" + DATA + "\"}",
            "no such file or directory"),
        Arguments.of("{\"model\": \"savedmodels\", \"data\": \"" + DATA + "\"}",
            "not a SavedModel directory"),
        Arguments.of("{\"model\": \"../..\", \"data\": \"" + DATA + "\"}",
            "inside the service's root"),
        Arguments.of("{\"model\": \"" + MODEL + "\", \"data\": \"" + MODEL + "\"}",
            "not an .npz or .csv file"),
        Arguments.of("{" + ok + ", \"rangeTest\": {\"steps\": -5}}", "positive integer"),
        Arguments.of("{" + ok + ", \"rangeTest\": {\"startLr\": 1, \"endLr\": 0.1}}",
            "rangeTest: "),
        Arguments.of("{" + ok + ", \"rangeTest\": {\"optimizers\": \"adam\"}}",
            "array of optimizer keys"),
        Arguments.of("{" + ok + ", \"epochs\": 3}", "unknown field epochs"));
  }

  @ParameterizedTest
  @MethodSource("badRequests")
  void badInputGets400AndOneLineOfJson(String body, String says) throws Exception {
    HttpResponse<String> response = post(body);
    assertEquals(400, response.statusCode(), response.body());
    assertEquals("application/json; charset=utf-8",
        response.headers().firstValue("Content-Type").orElseThrow());
    String text = response.body();
    assertEquals(text.length() - 1, text.indexOf('\n'), "one line: " + text);
    JsonNode error = JSON.readTree(text);
    assertEquals(1, error.size(), text);
    String message = error.get("error").asText();
    assertTrue(message.contains(says), message);
    assertFalse(message.contains("Exception") || message.contains("dev.lrfinder")
        || message.contains("com.fasterxml"), message);
  }

  @Test
  void anUnknownJobIs404AndAWrongMethod405() throws Exception {
    assertEquals(404, send(HttpRequest.newBuilder(uri("jobs/no-such-job")).GET()).statusCode());
    assertEquals(405, send(HttpRequest.newBuilder(uri("jobs")).PUT(
        HttpRequest.BodyPublishers.ofString("{}"))).statusCode());
  }

  private static JsonNode awaitEnd(String id) throws Exception {
    long deadline = System.nanoTime() + JOB_TIMEOUT.toNanos();
    JsonNode job = get(id);
    while (List.of("queued", "running").contains(job.get("state").asText())) {
      assertTrue(System.nanoTime() < deadline, "job did not end: " + job);
      Thread.sleep(200);
      job = get(id);
    }
    return job;
  }

  private static JsonNode get(String id) throws Exception {
    HttpResponse<String> response = send(HttpRequest.newBuilder(uri("jobs/" + id)).GET());
    assertEquals(200, response.statusCode(), response.body());
    JsonNode job = JSON.readTree(response.body());
    assertNotNull(job.get("progress"), response.body());
    return job;
  }

  private static HttpResponse<String> post(String body) throws Exception {
    return send(HttpRequest.newBuilder(uri("jobs"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return client.send(request.timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static URI uri(String path) {
    return service.uri().resolve(path);
  }

  /** SHA-256 over every file's relative path and bytes, in path order. */
  private static String checksum(Path dir) throws IOException, NoSuchAlgorithmException {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    try (Stream<Path> files = Files.walk(dir)) {
      files.filter(Files::isRegularFile).sorted().forEach(file -> {
        try {
          digest.update(dir.relativize(file).toString().getBytes(StandardCharsets.UTF_8));
          digest.update(Files.readAllBytes(file));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
