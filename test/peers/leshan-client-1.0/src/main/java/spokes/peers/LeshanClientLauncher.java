package spokes.peers;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.leshan.client.californium.LeshanClient;
import org.eclipse.leshan.client.californium.LeshanClientBuilder;
import org.eclipse.leshan.client.engine.DefaultRegistrationEngineFactory;
import org.eclipse.leshan.client.object.Device;
import org.eclipse.leshan.client.object.Security;
import org.eclipse.leshan.client.object.Server;
import org.eclipse.leshan.client.observer.LwM2mClientObserverAdapter;
import org.eclipse.leshan.client.resource.ObjectsInitializer;
import org.eclipse.leshan.client.servers.ServerIdentity;
import org.eclipse.leshan.core.LwM2mId;
import org.eclipse.leshan.core.model.ObjectLoader;
import org.eclipse.leshan.core.model.ObjectModel;
import org.eclipse.leshan.core.model.StaticModel;
import org.eclipse.leshan.core.request.BindingMode;
import org.eclipse.leshan.core.request.DeregisterRequest;
import org.eclipse.leshan.core.request.RegisterRequest;
import org.eclipse.leshan.core.request.UpdateRequest;
import org.eclipse.leshan.core.response.ExecuteResponse;
import org.eclipse.leshan.core.ResponseCode;

/**
 * An Eclipse Leshan LwM2M 1.0 client with Security, Server, Device, a Temperature (3303) and a Light Control
 * (3311) instance. Arguments: endpoint, server URL, lifetime in seconds, binding (U or UQ). Commands on stdin, one
 * per line: update, deregister, stop (silently, no de-registration), start, set /3303/0/5700 21.5, quit. Prints
 * one JSON object per line on stdout: ready, registered, updated, deregistered, write, execute, set, error.
 */
public final class LeshanClientLauncher {

    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        if (args.length < 4) {
            System.err.println("usage: leshan-client-1.0 <endpoint> <coap://host:port> <lifetime-seconds> <U|UQ>");
            System.exit(2);
        }
        String endpoint = args[0];
        String serverUrl = args[1];
        long lifetime = Long.parseLong(args[2]);
        BindingMode binding = args[3].equals("UQ") ? BindingMode.UQ : BindingMode.U;

        List<ObjectModel> models = new ArrayList<>(ObjectLoader.loadDefault());
        models.addAll(Models.extra());
        ObjectsInitializer initializer = new ObjectsInitializer(new StaticModel(models));
        initializer.setInstancesForObject(LwM2mId.SECURITY, Security.noSec(serverUrl, 123));
        initializer.setInstancesForObject(LwM2mId.SERVER, new Server(123, lifetime, binding, false));
        initializer.setInstancesForObject(LwM2mId.DEVICE, new TestDevice(binding.toString()));
        Instance temperature = Instance.temperature();
        Instance light = Instance.light();
        initializer.setInstancesForObject(3303, temperature);
        initializer.setInstancesForObject(3311, light);

        DefaultRegistrationEngineFactory engine = new DefaultRegistrationEngineFactory();
        engine.setRetryWaitingTimeInMs(2000);
        engine.setRequestTimeoutInMs(5000);

        LeshanClientBuilder builder = new LeshanClientBuilder(endpoint);
        builder.setLocalAddress("127.0.0.1", 0);
        builder.setObjects(initializer.createAll());
        builder.setRegistrationEngineFactory(engine);
        LeshanClient client = builder.build();
        client.addObserver(new Printer());
        client.start();
        Out.line("ready", "endpoint", endpoint);

        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] words = line.trim().split("\\s+", 3);
            try {
                switch (words[0]) {
                case "update" -> client.triggerRegistrationUpdate();
                case "deregister" -> client.stop(true);
                case "stop" -> client.stop(false);
                case "start" -> client.start();
                case "set" -> {
                    Instance target = words[1].startsWith("/3311/") ? light : temperature;
                    target.set(Integer.parseInt(words[1].substring(words[1].lastIndexOf('/') + 1)), words[2]);
                    Out.line("set", "path", words[1], "value", words[2]);
                }
                case "quit" -> {
                    client.destroy(true);
                    Out.line("quit");
                    System.exit(0);
                }
                case "" -> {
                }
                default -> Out.line("error", "message", "unknown command " + words[0]);
                }
            } catch (RuntimeException e) {
                Out.line("error", "message", String.valueOf(e.getMessage()));
            }
        }
        client.destroy(true);
        System.exit(0);
    }

    /** Device (3) whose Reboot (4) succeeds and says so. */
    public static final class TestDevice extends Device {
        public TestDevice() {
            this("U");
        }

        TestDevice(String binding) {
            super("Spokes Test", "leshan-1", "0001", binding);
        }

        @Override
        public ExecuteResponse execute(ServerIdentity server, int resourceid, String params) {
            if (resourceid == 4) {
                Out.line("execute", "path", "/3/0/4", "args", String.valueOf(params));
                return ExecuteResponse.success();
            }
            return super.execute(server, resourceid, params);
        }
        @Override
        public java.util.List<Integer> getAvailableResourceIds(org.eclipse.leshan.core.model.ObjectModel model) {
            java.util.List<Integer> ids = new java.util.ArrayList<>(super.getAvailableResourceIds(model));
            if (!ids.contains(4)) ids.add(4);
            return ids;
        }
    }

    static final class Printer extends LwM2mClientObserverAdapter {
        @Override
        public void onRegistrationSuccess(ServerIdentity server, RegisterRequest request, String registrationID) {
            Out.line("registered", "id", registrationID);
        }

        @Override
        public void onRegistrationFailure(ServerIdentity server, RegisterRequest request, ResponseCode code,
                String message, Exception cause) {
            Out.line("registration-failed", "code", code == null ? "none" : code.toString());
        }

        @Override
        public void onRegistrationTimeout(ServerIdentity server, RegisterRequest request) {
            Out.line("registration-timeout");
        }

        @Override
        public void onUpdateSuccess(ServerIdentity server, UpdateRequest request) {
            Out.line("updated");
        }

        @Override
        public void onUpdateFailure(ServerIdentity server, UpdateRequest request, ResponseCode code, String message,
                Exception cause) {
            Out.line("update-failed", "code", code == null ? "none" : code.toString());
        }

        @Override
        public void onDeregistrationSuccess(ServerIdentity server, DeregisterRequest request) {
            Out.line("deregistered");
        }
    }
}
