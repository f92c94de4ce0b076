import { executable, type ObjectModel, type ResourceModel, resource } from "./object-model.ts";

const PERCENT = { units: "%", range: { min: 0, max: 100 } } as const;
const SECONDS = { units: "s" } as const;

/** Resources every IPSO sensor shares (3300, 3303, 3304 …); the value's unit is whatever 5701 says. */
function sensorResources(): ResourceModel[] {
  return [
    resource(5700, "Sensor Value", "R", "float", { mandatory: true }),
    resource(5701, "Sensor Units", "R", "string"),
    resource(5601, "Min Measured Value", "R", "float"),
    resource(5602, "Max Measured Value", "R", "float"),
    resource(5603, "Min Range Value", "R", "float"),
    resource(5604, "Max Range Value", "R", "float"),
    executable(5605, "Reset Min and Max Measured Values"),
    resource(5750, "Application Type", "RW", "string"),
    resource(5518, "Timestamp", "R", "time"),
    resource(6050, "Fractional Timestamp", "R", "float", { units: "s", range: { min: 0, max: 1 } }),
    resource(6042, "Measurement Quality Indicator", "R", "integer", { range: { min: 0, max: 23 } }),
    resource(6049, "Measurement Quality Level", "R", "integer", { range: { min: 0, max: 100 } }),
  ];
}

function ipso(id: number, name: string, version: string, description: string, resources: ResourceModel[]): ObjectModel {
  const urn = version === "1.0" ? `urn:oma:lwm2m:ext:${id}` : `urn:oma:lwm2m:ext:${id}:${version}`;
  return { id, name, urn, version, multiple: true, mandatory: false, description, resources };
}

/** 3300 Generic Sensor: any measured value with its unit and sensor type. */
export const GENERIC_SENSOR = ipso(3300, "Generic Sensor", "1.1", "A sensor of any kind.", [
  ...sensorResources(),
  resource(5751, "Sensor Type", "R", "string"),
]);

/** 3303 Temperature: sensor value usually in Cel. */
export const TEMPERATURE = ipso(3303, "Temperature", "1.1", "A temperature sensor.", sensorResources());

/** 3304 Humidity: relative humidity, usually in %RH. */
export const HUMIDITY = ipso(3304, "Humidity", "1.1", "A relative humidity sensor.", sensorResources());

/** Resources a switchable load shares (3311, 3312). */
function loadResources(): ResourceModel[] {
  return [
    resource(5850, "On/Off", "RW", "boolean", { mandatory: true }),
    resource(5851, "Dimmer", "RW", "integer", PERCENT),
    resource(5852, "On time", "RW", "integer", SECONDS),
    resource(5805, "Cumulative active power", "R", "float", { units: "Wh" }),
    resource(5820, "Power factor", "R", "float"),
    resource(5750, "Application Type", "RW", "string"),
  ];
}

/** 3311 Light Control: a light source that can be switched, dimmed and coloured. */
export const LIGHT_CONTROL = ipso(3311, "Light Control", "1.0", "A light that can be switched and dimmed.", [
  ...loadResources(),
  resource(5706, "Colour", "RW", "string"),
  resource(5701, "Sensor Units", "R", "string"),
]);

/** 3312 Power Control: a relay or smart plug. */
export const POWER_CONTROL = ipso(3312, "Power Control", "1.1", "A power relay or switched outlet.", [
  ...loadResources(),
  resource(5518, "Timestamp", "R", "time"),
  resource(6050, "Fractional Timestamp", "R", "float", { units: "s", range: { min: 0, max: 1 } }),
]);

/** 3341 Addressable Text Display: text at a position, with level and contrast. */
export const TEXT_DISPLAY = ipso(3341, "Addressable Text Display", "1.0", "A text display with coordinates.", [
  resource(5527, "Text", "RW", "string", { mandatory: true }),
  resource(5528, "X Coordinate", "RW", "integer"),
  resource(5529, "Y Coordinate", "RW", "integer"),
  resource(5545, "Max X Coordinate", "R", "integer"),
  resource(5546, "Max Y Coordinate", "R", "integer"),
  executable(5530, "Clear Display"),
  resource(5548, "Level", "RW", "float", PERCENT),
  resource(5531, "Contrast", "RW", "float", PERCENT),
  resource(5750, "Application Type", "RW", "string"),
]);

/** 3342 On/Off switch: a switch's state, how often it changed and for how long. */
export const ON_OFF_SWITCH = ipso(3342, "On/Off switch", "1.1", "The state of an on/off switch.", [
  resource(5500, "Digital Input State", "R", "boolean", { mandatory: true }),
  resource(5501, "Digital Input Counter", "R", "integer"),
  resource(5852, "On time", "RW", "integer", SECONDS),
  resource(5854, "Off Time", "RW", "integer", SECONDS),
  resource(5750, "Application Type", "RW", "string"),
  resource(5518, "Timestamp", "R", "time"),
  resource(6050, "Fractional Timestamp", "R", "float", { units: "s", range: { min: 0, max: 1 } }),
]);
