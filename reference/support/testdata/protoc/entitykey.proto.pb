
Ï
$lightbend/serverless/entitykey.protolightbend.serverless google/protobuf/descriptor.proto:>

entity_key.google.protobuf.FieldOptionsÒ† (R	entityKeyB'
%com.lightbend.statefulserverless.grpcbproto3