import type * as grpc from "@grpc/grpc-js";
import { ReflectionService } from "@grpc/reflection";
import type { UserService } from "../discovery/index.js";

type PackageDefinition = ConstructorParameters<typeof ReflectionService>[0];

/**
 * Adds gRPC server reflection (v1 and v1alpha) describing the user's service
 * (L1), from the descriptors discovery kept: the user's file as received and
 * the files it imports. The reflection library re-encodes them with its own
 * descriptor types, so custom options such as entity_key are not echoed.
 */
export function addReflection(server: Pick<grpc.Server, "addService">, userService: UserService): void {
  // The library only reads `fileDescriptorProtos` off each entry of a package definition.
  const packageDefinition = {
    [userService.name]: { fileDescriptorProtos: userService.fileDescriptors.map((bytes) => Buffer.from(bytes)) },
  } as unknown as PackageDefinition;
  new ReflectionService(packageDefinition, { services: [userService.name] }).addToServer(server);
}
