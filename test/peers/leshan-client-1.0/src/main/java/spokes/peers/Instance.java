package spokes.peers;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.eclipse.leshan.client.resource.BaseInstanceEnabler;
import org.eclipse.leshan.client.servers.ServerIdentity;
import org.eclipse.leshan.core.model.ResourceModel;
import org.eclipse.leshan.core.node.LwM2mResource;
import org.eclipse.leshan.core.node.LwM2mSingleResource;
import org.eclipse.leshan.core.response.ExecuteResponse;
import org.eclipse.leshan.core.response.ReadResponse;
import org.eclipse.leshan.core.response.WriteResponse;

/** An object instance that keeps its resource values in a map and prints every write and execute it receives. */
final class Instance extends BaseInstanceEnabler {
    private final Map<Integer, Object> values = new ConcurrentHashMap<>();

    /** Leshan needs a public no-argument constructor to create instances on request. */
    public Instance() {
        super(0);
    }

    static Instance temperature() {
        Instance t = new Instance();
        t.values.put(5700, 20.5d);
        t.values.put(5701, "Cel");
        t.values.put(5601, 20.5d);
        t.values.put(5602, 20.5d);
        return t;
    }

    static Instance light() {
        Instance l = new Instance();
        l.values.put(5850, false);
        l.values.put(5851, 0L);
        l.values.put(5706, "white");
        return l;
    }

    private String path(int resourceId) {
        return "/" + getModel().id + "/" + getId() + "/" + resourceId;
    }

    /** Sets a value from text as the device itself would (a new measurement), and notifies observers. */
    void set(int resourceId, String text) {
        ResourceModel model = getModel().resources.get(resourceId);
        if (model == null) throw new IllegalArgumentException("no resource " + resourceId);
        Object value = switch (model.type) {
        case FLOAT -> Double.parseDouble(text);
        case INTEGER -> Long.parseLong(text);
        case BOOLEAN -> Boolean.parseBoolean(text);
        default -> text;
        };
        values.put(resourceId, value);
        if (resourceId == 5700) {
            double v = (Double) value;
            values.merge(5601, v, (a, b) -> Math.min((Double) a, (Double) b));
            values.merge(5602, v, (a, b) -> Math.max((Double) a, (Double) b));
            fireResourcesChange(5601);
            fireResourcesChange(5602);
        }
        fireResourcesChange(resourceId);
    }

    @Override
    public ReadResponse read(ServerIdentity server, int resourceId) {
        Object value = values.get(resourceId);
        ResourceModel model = getModel().resources.get(resourceId);
        if (value == null || model == null) return ReadResponse.notFound();
        return ReadResponse.success(LwM2mSingleResource.newResource(resourceId, value, model.type));
    }

    @Override
    public WriteResponse write(ServerIdentity server, int resourceId, LwM2mResource value) {
        ResourceModel model = getModel().resources.get(resourceId);
        if (model == null || !model.operations.isWritable()) return WriteResponse.notFound();
        values.put(resourceId, value.getValue());
        Out.line("write", "path", path(resourceId), "value", String.valueOf(value.getValue()));
        fireResourcesChange(resourceId);
        return WriteResponse.success();
    }

    @Override
    public ExecuteResponse execute(ServerIdentity server, int resourceId, String arguments) {
        ResourceModel model = getModel().resources.get(resourceId);
        if (model == null || !model.operations.isExecutable()) return ExecuteResponse.notFound();
        Out.line("execute", "path", path(resourceId), "args", String.valueOf(arguments));
        if (resourceId == 5605) {
            Object v = values.get(5700);
            values.put(5601, v);
            values.put(5602, v);
        }
        return ExecuteResponse.success();
    }

    @Override
    public void reset(int resourceId) {
        if (resourceId == 5706) values.put(5706, "white");
    }
}
