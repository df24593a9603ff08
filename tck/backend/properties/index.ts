export { checkLifecycleProperty } from "./lifecycle-property.js";
export type { PropertyContext, PropertyOutcome } from "./property-context.js";
export { checkSerialConsistencyProperty } from "./serial-consistency-property.js";
