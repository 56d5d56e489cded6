package dev.lrfinder.examples.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small HTTP service that runs lrfinder range tests as jobs, on the JDK's HttpServer.
 *
 * <ul>
 *   <li>{@code POST /jobs} with a {@link JobRequest} body: 202 and {@code {"id": ..., "state":
 *       "queued"}}, with the job's URL in {@code Location};
 *   <li>{@code GET /jobs/{id}}: its state ({@code queued}, {@code running}, {@code done},
 *       {@code failed}, {@code cancelled}), progress (optimizer, step, learning rate, loss) and,
 *       when done, {@code result}: lrfinder's result.json; when failed, {@code error};
 *   <li>{@code DELETE /jobs/{id}}: cancels the job (202); the run stops before its next step,
 *       the model is restored and the job reads {@code cancelled}.
 * </ul>
 *
 * <p>A bad request gets 400 and one line of JSON, {@code {"error": "..."}}; an unknown job 404.
 * Model and data paths are resolved in the service's root folder and must stay inside it. Jobs run
 * on a fixed number of worker threads, each on its own model; finished jobs are kept in memory
 * for as long as the service runs (a real service would expire them).
 */
public final class RangeTestService implements AutoCloseable {
  private static final int MAX_BODY_BYTES = 64 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path root;
  private final HttpServer server;
  private final ExecutorService requests;
  private final ExecutorService workers;
  private final Map<String, Job> jobs = new ConcurrentHashMap<>();

  private RangeTestService(Path root, HttpServer server, int workerThreads) {
    this.root = root;
    this.server = server;
    this.requests = Executors.newFixedThreadPool(4, threads("http"));
    this.workers = Executors.newFixedThreadPool(workerThreads, threads("range-test"));
    server.setExecutor(requests);
    server.createContext("/jobs", this::handle);
  }

  /**
   * Starts a service.
   *
   * @param address where to listen; port 0 picks a free port (see {@link #port()})
   * @param root the folder that model and data paths are resolved in
   * @param workerThreads how many range tests run at once
   * @return the running service; close it to stop it
   * @throws IOException when the address cannot be bound
   */
  public static RangeTestService start(InetSocketAddress address, Path root, int workerThreads)
      throws IOException {
    HttpServer server = HttpServer.create(address, 0);
    RangeTestService service =
        new RangeTestService(root.toAbsolutePath().normalize(), server, workerThreads);
    server.start();
    return service;
  }

  /** The port the service listens on. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** The service's base URI on the loopback interface, e.g. {@code http://127.0.0.1:8080/}. */
  public URI uri() {
    return URI.create("http://127.0.0.1:" + port() + "/");
  }

  /** Stops listening, cancels every job (their models restored) and waits for the workers. */
  @Override
  public void close() {
    server.stop(0);
    jobs.values().forEach(Job::cancel);
    workers.shutdown();
    requests.shutdown();
    try {
      if (!workers.awaitTermination(60, TimeUnit.SECONDS)) {
        workers.shutdownNow();
      }
    } catch (InterruptedException e) {
      workers.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Runs the service until the JVM stops: {@code RangeTestService [port] [root]} (default 8080
   * and the current folder).
   *
   * @param args the port and the root folder, both optional
   * @throws IOException when the port cannot be bound
   */
  public static void main(String[] args) throws IOException {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
    Path root = Path.of(args.length > 1 ? args[1] : ".");
    RangeTestService service = start(new InetSocketAddress(port), root, 1);
    Runtime.getRuntime().addShutdownHook(new Thread(service::close, "range-test-service-stop"));
    System.out.println("lrfinder range-test service on " + service.uri() + "jobs, root " + root);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      String method = exchange.getRequestMethod();
      if (path.equals("/jobs") || path.equals("/jobs/")) {
        if (method.equals("POST")) {
          submit(exchange);
        } else {
          error(exchange, 405, "use POST /jobs, GET /jobs/{id} or DELETE /jobs/{id}");
        }
        return;
      }
      String id = path.substring("/jobs/".length());
      Job job = jobs.get(id);
      if (job == null) {
        error(exchange, 404, "no job " + id);
      } else if (method.equals("GET")) {
        send(exchange, 200, describe(job.view()));
      } else if (method.equals("DELETE")) {
        if (job.cancel()) {
          send(exchange, 202, describe(job.view()));
        } else {
          error(exchange, 409, "job " + id + " has already ended");
        }
      } else {
        error(exchange, 405, "use GET or DELETE on /jobs/" + id);
      }
    } catch (RuntimeException e) {
      if (exchange.getResponseCode() == -1) { // nothing sent yet
        error(exchange, 500, "internal error");
      }
      throw e;
    }
  }

  private void submit(HttpExchange exchange) throws IOException {
    JobRequest request;
    try {
      request = JobRequest.parse(readJson(exchange), root);
    } catch (BadRequest e) {
      error(exchange, 400, e.getMessage());
      return;
    }
    Job job = new Job(UUID.randomUUID().toString(), request);
    jobs.put(job.id(), job);
    try {
      workers.execute(job);
    } catch (RejectedExecutionException e) {
      jobs.remove(job.id());
      error(exchange, 503, "the service is stopping");
      return;
    }
    exchange.getResponseHeaders().set("Location", "/jobs/" + job.id());
    send(exchange, 202, describe(job.view()));
  }

  private static JsonNode readJson(HttpExchange exchange) throws IOException, BadRequest {
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      body = in.readNBytes(MAX_BODY_BYTES + 1);
    }
    if (body.length > MAX_BODY_BYTES) {
      throw new BadRequest("the body is larger than " + MAX_BODY_BYTES + " bytes");
    }
    try {
      return JSON.readTree(body);
    } catch (JsonProcessingException e) {
      // Jackson's message spans lines and quotes the input: say where instead.
      throw new BadRequest("the body is not valid JSON (line " + e.getLocation().getLineNr()
          + ", column " + e.getLocation().getColumnNr() + ")");
    }
  }

  private static ObjectNode describe(Job.View view) throws JsonProcessingException {
    ObjectNode out = JSON.createObjectNode();
    out.put("id", view.id());
    out.put("state", view.state().label());
    Progress progress = view.progress();
    ObjectNode at = out.putObject("progress");
    at.put("optimizer", progress.optimizer());
    at.put("plannedSteps", progress.plannedSteps());
    at.put("step", progress.step());
    number(at, "learningRate", progress.learningRate());
    number(at, "loss", progress.loss());
    if (view.resultJson() != null) {
      out.set("result", JSON.readTree(view.resultJson()));
    }
    if (view.error() != null) {
      out.put("error", view.error());
    }
    return out;
  }

  /** JSON has no NaN: a number not known yet is null. */
  private static void number(ObjectNode node, String field, double value) {
    if (Double.isFinite(value)) {
      node.put(field, value);
    } else {
      node.putNull(field);
    }
  }

  private static void error(HttpExchange exchange, int status, String message)
      throws IOException {
    send(exchange, status, JSON.createObjectNode().put("error", message));
  }

  private static void send(HttpExchange exchange, int status, JsonNode body) throws IOException {
    byte[] bytes = (JSON.writeValueAsString(body) + "\n").getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static java.util.concurrent.ThreadFactory threads(String name) {
    AtomicInteger count = new AtomicInteger();
    return task -> {
      Thread thread = new Thread(task, name + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
