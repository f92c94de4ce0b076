package spokes.peers;

import java.util.List;

import org.eclipse.leshan.core.model.ObjectModel;
import org.eclipse.leshan.core.model.ResourceModel;
import org.eclipse.leshan.core.model.ResourceModel.Operations;
import org.eclipse.leshan.core.model.ResourceModel.Type;

/** The IPSO objects Leshan does not ship: Temperature (3303) and Light Control (3311), the resources used here. */
final class Models {
    private Models() {
    }

    static List<ObjectModel> extra() {
        ObjectModel temperature = new ObjectModel(3303, "Temperature", "", "1.0", true, false,
                r(5700, "Sensor Value", Operations.R, Type.FLOAT, "Cel"),
                r(5701, "Sensor Units", Operations.R, Type.STRING, ""),
                r(5601, "Min Measured Value", Operations.R, Type.FLOAT, "Cel"),
                r(5602, "Max Measured Value", Operations.R, Type.FLOAT, "Cel"),
                r(5605, "Reset Min and Max Measured Values", Operations.E, null, ""));
        ObjectModel light = new ObjectModel(3311, "Light Control", "", "1.0", true, false,
                r(5850, "On/Off", Operations.RW, Type.BOOLEAN, ""),
                r(5851, "Dimmer", Operations.RW, Type.INTEGER, "%"),
                r(5706, "Colour", Operations.RW, Type.STRING, ""));
        return List.of(temperature, light);
    }

    private static ResourceModel r(int id, String name, Operations operations, Type type, String units) {
        return new ResourceModel(id, name, operations, false, false, type, "", units, "");
    }
}
