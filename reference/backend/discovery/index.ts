export { EntityKeyError, type UserMethod, type UserService } from "./user-service.js";
export { SpecError } from "./spec-error.js";
export { validateEntitySpec } from "./validate-entity-spec.js";
export { escapeKeyPart, joinEntityKey, keyPartText, type KeyKind } from "./entity-key.js";
export { entityKeyProtoName, isKnownImport, knownImport, knownImportClosure, type KnownImport } from "./known-imports.js";
export { discoverUserService, type Backoff, type DiscoveryOptions } from "./discover-user-service.js";
export { fileDescriptorType } from "./descriptor-type.js";
