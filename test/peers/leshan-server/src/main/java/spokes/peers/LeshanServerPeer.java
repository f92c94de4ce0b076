package spokes.peers;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import org.eclipse.leshan.core.endpoint.Protocol;
import org.eclipse.leshan.core.link.Link;
import org.eclipse.leshan.core.link.lwm2m.attributes.LwM2mAttribute;
import org.eclipse.leshan.core.link.lwm2m.attributes.LwM2mAttributeSet;
import org.eclipse.leshan.core.link.lwm2m.attributes.LwM2mAttributes;
import org.eclipse.leshan.core.model.ObjectLoader;
import org.eclipse.leshan.core.model.ObjectModel;
import org.eclipse.leshan.core.model.ResourceModel;
import org.eclipse.leshan.core.model.StaticModel;
import org.eclipse.leshan.core.node.LwM2mNode;
import org.eclipse.leshan.core.node.LwM2mPath;
import org.eclipse.leshan.core.node.ObjectLink;
import org.eclipse.leshan.core.observation.CompositeObservation;
import org.eclipse.leshan.core.observation.Observation;
import org.eclipse.leshan.core.observation.SingleObservation;
import org.eclipse.leshan.core.request.ContentFormat;
import org.eclipse.leshan.core.request.DownlinkRequest;
import org.eclipse.leshan.core.request.ExecuteRequest;
import org.eclipse.leshan.core.request.ObserveRequest;
import org.eclipse.leshan.core.request.ReadRequest;
import org.eclipse.leshan.core.request.WriteAttributesRequest;
import org.eclipse.leshan.core.request.WriteRequest;
import org.eclipse.leshan.core.response.LwM2mResponse;
import org.eclipse.leshan.core.response.ObserveCompositeResponse;
import org.eclipse.leshan.core.response.ObserveResponse;
import org.eclipse.leshan.core.response.ReadResponse;
import org.eclipse.leshan.server.LeshanServer;
import org.eclipse.leshan.server.LeshanServerBuilder;
import org.eclipse.leshan.server.californium.endpoint.CaliforniumServerEndpointsProvider;
import org.eclipse.leshan.server.californium.endpoint.coap.CoapServerProtocolProvider;
import org.eclipse.leshan.server.model.LwM2mModelProvider;
import org.eclipse.leshan.server.observation.ObservationListener;
import org.eclipse.leshan.server.registration.Registration;
import org.eclipse.leshan.server.registration.RegistrationListener;
import org.eclipse.leshan.server.registration.RegistrationUpdate;
import org.eclipse.leshan.core.SecurityMode;
import org.eclipse.leshan.core.request.BindingMode;
import org.eclipse.leshan.server.bootstrap.BootstrapConfig;
import org.eclipse.leshan.server.bootstrap.InMemoryBootstrapConfigStore;
import org.eclipse.leshan.server.bootstrap.LeshanBootstrapServer;
import org.eclipse.leshan.server.bootstrap.LeshanBootstrapServerBuilder;
import org.eclipse.leshan.server.californium.bootstrap.endpoint.CaliforniumBootstrapServerEndpointsProvider;
import org.eclipse.leshan.server.californium.bootstrap.endpoint.coap.CoapBootstrapServerProtocolProvider;

/**
 * Runs an Eclipse Leshan LwM2M server on a UDP port and a small HTTP/JSON control API on a TCP port, so tests can
 * drive it: list registrations, read, write, execute, observe, cancel observations, write attributes, add object
 * models, and follow an event feed (registrations and notifications) by long-polling. The LwM2M side is Leshan's.
 *
 * With `--bootstrap-port`, a Leshan bootstrap server runs too; `/bootstrap-config` tells it which server to hand
 * an endpoint.
 *
 * Usage: java -jar leshan-server.jar --coap-port N --http-port M [--bootstrap-port B] [--host 127.0.0.1]
 */
public final class LeshanServerPeer {
  private final LeshanServer server;
  private final Map<Integer, ObjectModel> models = new ConcurrentHashMap<>();
  private final List<String> events = new ArrayList<>();
  private final InMemoryBootstrapConfigStore bootstrapConfigs = new InMemoryBootstrapConfigStore();
  private LeshanBootstrapServer bootstrapServer;

  private LeshanServerPeer(String host, int coapPort) {
    for (ObjectModel m : ObjectLoader.loadDefault()) models.put(m.id, m);
    CaliforniumServerEndpointsProvider.Builder endpoints =
        new CaliforniumServerEndpointsProvider.Builder(new CoapServerProtocolProvider());
    endpoints.addEndpoint(new InetSocketAddress(host, coapPort), Protocol.COAP);
    LeshanServerBuilder builder = new LeshanServerBuilder();
    builder.setEndpointsProviders(endpoints.build());
    LwM2mModelProvider provider = registration -> new StaticModel(models.values());
    builder.setObjectModelProvider(provider);
    server = builder.build();
    server.getRegistrationService().addListener(new RegistrationListener() {
      public void registered(Registration r, Registration previous, java.util.Collection<Observation> obs) {
        event("registered", r, null);
      }

      public void updated(RegistrationUpdate update, Registration r, Registration previous) {
        event("updated", r, null);
      }

      public void unregistered(Registration r, java.util.Collection<Observation> obs, boolean expired, Registration n) {
        event(expired ? "expired" : "deregistered", r, null);
      }
    });
    server.getObservationService().addListener(new ObservationListener() {
      public void newObservation(Observation o, Registration r) {}

      public void cancelled(Observation o) {}

      public void onResponse(SingleObservation o, Registration r, ObserveResponse response) {
        Object coap = response.getCoapResponse();
        Integer number = coap instanceof org.eclipse.californium.core.coap.Response res
            ? res.getOptions().getObserve() : null;
        event("notification", r, "\"path\":" + str(o.getPath().toString()) + ",\"observe\":" + number
            + ",\"content\":" + node(response.getContent()));
      }

      public void onResponse(CompositeObservation o, Registration r, ObserveCompositeResponse response) {}

      public void onError(Observation o, Registration r, Exception error) {
        event("observe-error", r, "\"error\":" + str(String.valueOf(error)));
      }
    });
  }

  private synchronized void event(String kind, Registration r, String more) {
    String json = "{\"seq\":" + (events.size() + 1) + ",\"kind\":" + str(kind) + ",\"endpoint\":"
        + str(r.getEndpoint()) + ",\"registrationId\":" + str(r.getId()) + ",\"at\":" + System.currentTimeMillis()
        + (more == null ? "" : "," + more) + "}";
    events.add(json);
    notifyAll();
  }

  /** Events after `since`, waiting up to `waitMs` for one to arrive. */
  private synchronized String eventsAfter(int since, long waitMs) throws InterruptedException {
    long end = System.currentTimeMillis() + waitMs;
    while (events.size() <= since && System.currentTimeMillis() < end) wait(Math.max(1, end - System.currentTimeMillis()));
    return "[" + String.join(",", events.subList(Math.min(since, events.size()), events.size())) + "]";
  }

  // ---- JSON writing --------------------------------------------------------------------------------------------

  static String str(String s) {
    return s == null ? "null" : Out.quote(s);
  }

  static String value(Object v) {
    if (v == null) return "null";
    if (v instanceof String s) return str(s);
    if (v instanceof Number || v instanceof Boolean) return v.toString();
    if (v instanceof Date d) return Long.toString(d.getTime() / 1000);
    if (v instanceof ObjectLink l) return str(l.encodeToString());
    if (v instanceof byte[] bytes) {
      StringBuilder b = new StringBuilder();
      for (byte x : bytes) b.append(String.format("%02x", x));
      return str(b.toString());
    }
    return str(v.toString());
  }

  static String node(LwM2mNode n) {
    if (n == null) return "null";
    if (n instanceof org.eclipse.leshan.core.node.LwM2mSingleResource r) {
      return "{\"kind\":\"resource\",\"id\":" + r.getId() + ",\"type\":" + str(r.getType().name()) + ",\"value\":"
          + value(r.getValue()) + "}";
    }
    if (n instanceof org.eclipse.leshan.core.node.LwM2mMultipleResource r) {
      List<String> parts = new ArrayList<>();
      r.getInstances().forEach((id, ri) -> parts.add(str(id.toString()) + ":" + value(ri.getValue())));
      return "{\"kind\":\"multiple\",\"id\":" + r.getId() + ",\"type\":" + str(r.getType().name()) + ",\"values\":{"
          + String.join(",", parts) + "}}";
    }
    if (n instanceof org.eclipse.leshan.core.node.LwM2mResourceInstance ri) {
      return "{\"kind\":\"resource-instance\",\"id\":" + ri.getId() + ",\"value\":" + value(ri.getValue()) + "}";
    }
    if (n instanceof org.eclipse.leshan.core.node.LwM2mObjectInstance i) {
      List<String> parts = new ArrayList<>();
      i.getResources().values().forEach(r -> parts.add(node(r)));
      return "{\"kind\":\"instance\",\"id\":" + i.getId() + ",\"resources\":[" + String.join(",", parts) + "]}";
    }
    if (n instanceof org.eclipse.leshan.core.node.LwM2mObject o) {
      List<String> parts = new ArrayList<>();
      o.getInstances().values().forEach(i -> parts.add(node(i)));
      return "{\"kind\":\"object\",\"id\":" + o.getId() + ",\"instances\":[" + String.join(",", parts) + "]}";
    }
    return str(n.toString());
  }

  static String registration(Registration r) {
    List<String> links = new ArrayList<>();
    for (Link l : r.getObjectLinks()) links.add(str(l.toCoreLinkFormat()));
    return "{\"endpoint\":" + str(r.getEndpoint()) + ",\"id\":" + str(r.getId()) + ",\"lifetime\":"
        + r.getLifeTimeInSec() + ",\"version\":" + str(String.valueOf(r.getLwM2mVersion())) + ",\"binding\":"
        + str(String.valueOf(r.getBindingMode())) + ",\"address\":" + str(String.valueOf(r.getSocketAddress()))
        + ",\"lastUpdate\":" + r.getLastUpdate().getTime() + ",\"objectLinks\":[" + String.join(",", links) + "]}";
  }

  static String response(LwM2mResponse r) {
    if (r == null) return "{\"code\":\"TIMEOUT\"}";
    String content = r instanceof ReadResponse read ? ",\"content\":" + node(read.getContent()) : "";
    return "{\"code\":" + str(r.getCode().getName()) + ",\"coap\":" + r.getCode().getCode() + ",\"error\":"
        + str(r.getErrorMessage()) + content + "}";
  }

  // ---- control API ---------------------------------------------------------------------------------------------

  static Map<String, String> query(HttpExchange ex) {
    Map<String, String> q = new HashMap<>();
    String raw = ex.getRequestURI().getRawQuery();
    if (raw == null) return q;
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      q.put(k, v);
    }
    return q;
  }

  static ContentFormat format(Map<String, String> q) {
    String f = q.get("format");
    if (f == null || f.isEmpty()) return null;
    return f.chars().allMatch(Character::isDigit) ? ContentFormat.fromCode(Integer.parseInt(f)) : ContentFormat.fromName(f);
  }

  private <T extends LwM2mResponse> String send(Registration r, DownlinkRequest<T> request, Map<String, String> q)
      throws InterruptedException {
    long timeout = Long.parseLong(q.getOrDefault("timeout", "5000"));
    return response(server.send(r, request, timeout));
  }

  private WriteRequest write(Map<String, String> q) {
    LwM2mPath p = new LwM2mPath(q.get("path"));
    ContentFormat f = format(q);
    if (f == null) f = ContentFormat.TLV;
    String v = q.getOrDefault("value", "");
    int o = p.getObjectId(), i = p.getObjectInstanceId(), res = p.getResourceId();
    switch (q.getOrDefault("type", "string")) {
      case "integer": return new WriteRequest(f, o, i, res, Long.parseLong(v));
      case "float": return new WriteRequest(f, o, i, res, Double.parseDouble(v));
      case "boolean": return new WriteRequest(f, o, i, res, Boolean.parseBoolean(v));
      case "time": return new WriteRequest(f, o, i, res, new Date(Long.parseLong(v) * 1000));
      case "opaque": return new WriteRequest(f, o, i, res, java.util.HexFormat.of().parseHex(v));
      default: return new WriteRequest(f, o, i, res, v);
    }
  }

  /** `objects=26241` and `resources=0:R:STRING:Name,1:RW:INTEGER:Value,2:E:NONE:Run` → a model Leshan can use. */
  private void addModel(Map<String, String> q) {
    int id = Integer.parseInt(q.get("object"));
    List<ResourceModel> resources = new ArrayList<>();
    for (String spec : q.getOrDefault("resources", "").split(",")) {
      if (spec.isBlank()) continue;
      String[] p = spec.split(":");
      String name = p.length > 3 ? p[3] : "resource-" + p[0];
      resources.add(new ResourceModel(Integer.parseInt(p[0]), name, ResourceModel.Operations.valueOf(p[1]), false,
          false, ResourceModel.Type.valueOf(p[2]), null, null, ""));
    }
    boolean multiple = Boolean.parseBoolean(q.getOrDefault("multiple", "true"));
    models.put(id, new ObjectModel(id, q.getOrDefault("name", "object-" + id), "", "1.0", multiple, false, resources));
  }

  private String handle(HttpExchange ex) throws Exception {
    String[] parts = ex.getRequestURI().getPath().split("/");
    Map<String, String> q = query(ex);
    if (parts.length == 2 && parts[1].equals("clients")) {
      List<String> all = new ArrayList<>();
      for (Iterator<Registration> it = server.getRegistrationService().getAllRegistrations(); it.hasNext(); ) {
        all.add(registration(it.next()));
      }
      return "[" + String.join(",", all) + "]";
    }
    if (parts.length == 2 && parts[1].equals("events")) {
      return eventsAfter(Integer.parseInt(q.getOrDefault("since", "0")), Long.parseLong(q.getOrDefault("wait", "0")));
    }
    if (parts.length == 2 && parts[1].equals("bootstrap-config")) {
      BootstrapConfig c = new BootstrapConfig();
      c.contentFormat = ContentFormat.TLV;
      c.toDelete = List.of("/0", "/1");
      BootstrapConfig.ServerSecurity dm = new BootstrapConfig.ServerSecurity();
      dm.uri = q.get("server");
      dm.bootstrapServer = false;
      dm.securityMode = SecurityMode.NO_SEC;
      dm.publicKeyOrId = new byte[0];
      dm.serverPublicKey = new byte[0];
      dm.secretKey = new byte[0];
      dm.serverId = 123;
      c.security.put(0, dm);
      BootstrapConfig.ServerConfig sc = new BootstrapConfig.ServerConfig();
      sc.shortId = 123;
      sc.lifetime = Integer.parseInt(q.getOrDefault("lifetime", "300"));
      sc.binding = java.util.EnumSet.of(BindingMode.U);
      c.servers.put(0, sc);
      bootstrapConfigs.add(q.get("endpoint"), c);
      return "{\"ok\":true}";
    }
    if (parts.length == 2 && parts[1].equals("models")) {
      addModel(q);
      return "{\"ok\":true}";
    }
    if (parts.length == 4 && parts[1].equals("clients")) {
      Registration r = server.getRegistrationService().getByEndpoint(URLDecoder.decode(parts[2], StandardCharsets.UTF_8));
      if (r == null) return null;
      String path = q.get("path");
      switch (parts[3]) {
        case "read": return send(r, new ReadRequest(format(q), path), q);
        case "write": return send(r, write(q), q);
        case "execute": return send(r, new ExecuteRequest(path, q.get("args")), q);
        case "observe": return send(r, new ObserveRequest(format(q), path), q);
        case "cancel-observe":
          return "{\"cancelled\":" + server.getObservationService().cancelObservations(r, path) + "}";
        case "write-attributes": {
          List<LwM2mAttribute<?>> attributes = new ArrayList<>();
          if (q.containsKey("pmin")) attributes.add(LwM2mAttributes.create(LwM2mAttributes.MINIMUM_PERIOD, Long.parseLong(q.get("pmin"))));
          if (q.containsKey("pmax")) attributes.add(LwM2mAttributes.create(LwM2mAttributes.MAXIMUM_PERIOD, Long.parseLong(q.get("pmax"))));
          return send(r, new WriteAttributesRequest(path, new LwM2mAttributeSet(attributes)), q);
        }
        default: return null;
      }
    }
    return null;
  }

  private void serve(HttpExchange ex) throws IOException {
    int status = 200;
    String body;
    try {
      body = handle(ex);
      if (body == null) {
        status = 404;
        body = "{\"error\":\"not found\"}";
      }
    } catch (Exception e) {
      status = 400;
      body = "{\"error\":" + str(e.getClass().getSimpleName() + ": " + e.getMessage()) + "}";
    }
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> a = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) a.put(args[i], args[i + 1]);
    String host = a.getOrDefault("--host", "127.0.0.1");
    int coapPort = Integer.parseInt(a.getOrDefault("--coap-port", "5683"));
    int httpPort = Integer.parseInt(a.getOrDefault("--http-port", "8080"));
    LeshanServerPeer peer = new LeshanServerPeer(host, coapPort);
    peer.server.start();
    if (a.containsKey("--bootstrap-port")) {
      CaliforniumBootstrapServerEndpointsProvider.Builder endpoints =
          new CaliforniumBootstrapServerEndpointsProvider.Builder(new CoapBootstrapServerProtocolProvider());
      endpoints.addEndpoint(new InetSocketAddress(host, Integer.parseInt(a.get("--bootstrap-port"))), Protocol.COAP);
      LeshanBootstrapServerBuilder builder = new LeshanBootstrapServerBuilder();
      builder.setEndpointsProviders(endpoints.build());
      builder.setConfigStore(peer.bootstrapConfigs);
      peer.bootstrapServer = builder.build();
      peer.bootstrapServer.start();
    }
    HttpServer http = HttpServer.create(new InetSocketAddress(host, httpPort), 0);
    http.createContext("/", peer::serve);
    http.setExecutor(Executors.newCachedThreadPool());
    http.start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      http.stop(0);
      peer.server.destroy();
      if (peer.bootstrapServer != null) peer.bootstrapServer.destroy();
    }));
    System.out.println("READY coap=" + coapPort + " http=" + httpPort);
    System.out.flush();
  }
}
