/**
 * Names of action requests that are not a TD action. A property write travels as an action request named
 * `writeproperty:{property}` (the W3C operation name), so it cannot be mistaken for an action of the same name.
 * Every part that requests or delivers property writes (GraphQL, the LwM2M gateway, the bindings) uses this.
 */
export const propertyWriteName = (property: string): string => `writeproperty:${property}`;

/**
 * A request that the device report a property's current value: an action request named `readproperty:{property}`
 * with no input. The device answers by publishing the property (and may report the action completed).
 */
export const propertyReadName = (property: string): string => `readproperty:${property}`;
