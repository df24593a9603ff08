package eventsourcing_test

// The gRPC side: ready() and the stream loop over a real connection on the loopback.

import (
	"context"
	"io"
	"testing"
	"time"

	"example.com/serverless-go/eventsourcing"
	"example.com/serverless-go/gen/serverlesspb"
	"example.com/serverless-go/model"
	"example.com/serverless-go/shoppingcart"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/emptypb"
)

func serve(t *testing.T, entity eventsourcing.Servable) (*eventsourcing.Server, serverlesspb.EntityClient) {
	t.Helper()
	server, err := eventsourcing.Serve(entity, "127.0.0.1:0", eventsourcing.ServeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	conn, err := grpc.NewClient(server.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = conn.Close()
		server.Stop(5 * time.Second)
	})
	return server, serverlesspb.NewEntityClient(conn)
}

func callContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestReadySendsTheDescriptorWithItsOptions(t *testing.T) {
	entity, err := shoppingcart.New(shoppingcart.DefaultSnapshotEvery)
	if err != nil {
		t.Fatal(err)
	}
	_, client := serve(t, entity)
	spec, err := client.Ready(callContext(t), &emptypb.Empty{})
	if err != nil {
		t.Fatal(err)
	}
	if spec.GetServiceName() != "com.example.shoppingcart.ShoppingCart" || spec.GetPersistenceId() != "shopping-cart" {
		t.Fatalf("expected com.example.shoppingcart.ShoppingCart / shopping-cart, got %s / %s", spec.GetServiceName(), spec.GetPersistenceId())
	}
	file := spec.GetProto()
	if file.GetName() != "shoppingcart/shoppingcart.proto" || file.GetPackage() != "com.example.shoppingcart" {
		t.Fatalf("expected the file as imported, shoppingcart/shoppingcart.proto in com.example.shoppingcart, got %s in %s", file.GetName(), file.GetPackage())
	}
	if len(file.GetService()) != 1 || len(file.GetService()[0].GetMethod()) != 3 {
		t.Fatalf("expected one service with three methods, got %v", file.GetService())
	}
	// The entity key is extension 50002 of FieldOptions: it must survive, as bytes or as a known extension.
	for _, message := range file.GetMessageType() {
		if message.GetName() != "AddLineItem" {
			continue
		}
		options := message.GetField()[0].GetOptions()
		raw, err := proto.Marshal(options)
		if err != nil {
			t.Fatal(err)
		}
		// Field 50002, varint: tag (50002<<3)|0 = 400016 = 0x90 0xb5 0x18, value 1.
		want := []byte{0x90, 0xb5, 0x18, 0x01}
		if string(raw) != string(want) {
			t.Fatalf("AddLineItem.user_id options: expected entity_key (50002) = true encoded %x, got %x", want, raw)
		}
		return
	}
	t.Fatalf("AddLineItem missing from the descriptor: %v", file.GetMessageType())
}

func TestReadyAnswersTheSameEachTime(t *testing.T) {
	entity, _ := model.New(5)
	_, client := serve(t, entity)
	first, err := client.Ready(callContext(t), &emptypb.Empty{})
	if err != nil {
		t.Fatal(err)
	}
	second, err := client.Ready(callContext(t), &emptypb.Empty{})
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(first, second) {
		t.Fatal("two ready() calls answered differently")
	}
	var imports []string
	imports = append(imports, first.GetProto().GetDependency()...)
	want := []string{"google/protobuf/empty.proto", "lightbend/serverless/entitykey.proto"}
	if len(imports) != 2 || imports[0] != want[0] || imports[1] != want[1] {
		t.Fatalf("tck/model.proto imports: expected %v, got %v", want, imports)
	}
}

func TestStreamAnswersCommandsAndEndsOKOnHalfClose(t *testing.T) {
	entity, _ := model.New(5)
	_, client := serve(t, entity)
	stream, err := client.Handle(callContext(t))
	if err != nil {
		t.Fatal(err)
	}
	send := func(in *serverlesspb.EntityStreamIn) {
		if err := stream.Send(in); err != nil {
			t.Fatal(err)
		}
	}
	send(initIn("m", nil))
	send(commandIn(t, "m", 1, "Process", emit("a")))
	send(commandIn(t, "m", 2, "Process", emit("b")))
	if err := stream.CloseSend(); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"a", "ab"} {
		out, err := stream.Recv()
		if err != nil {
			t.Fatalf("expected a Reply with state %s, got %v", want, err)
		}
		if got := state(t, out.GetReply()); got != want {
			t.Fatalf("expected state %s, got %s", want, got)
		}
	}
	if _, err := stream.Recv(); err != io.EOF {
		t.Fatalf("after the backend's half-close: expected the stream to end OK, got %v", err)
	}
}

func TestViolationEndsTheStreamWithItsStatus(t *testing.T) {
	entity, _ := model.New(5)
	_, client := serve(t, entity)
	stream, err := client.Handle(callContext(t))
	if err != nil {
		t.Fatal(err)
	}
	_ = stream.Send(initIn("m", nil))
	_ = stream.Send(initIn("m", nil))
	_, err = stream.Recv()
	if status.Code(err) != codes.FailedPrecondition {
		t.Fatalf("a second Init: expected FAILED_PRECONDITION, got %v", err)
	}
}

func TestStopEndsOpenStreamsOK(t *testing.T) {
	entity, _ := model.New(5)
	server, client := serve(t, entity)
	stream, err := client.Handle(callContext(t))
	if err != nil {
		t.Fatal(err)
	}
	_ = stream.Send(initIn("m", nil))
	_ = stream.Send(commandIn(t, "m", 1, "Process", emit("a")))
	if _, err := stream.Recv(); err != nil {
		t.Fatalf("expected the Reply first, got %v", err)
	}
	stopped := make(chan struct{})
	go func() { server.Stop(5 * time.Second); close(stopped) }()
	if _, err := stream.Recv(); err != io.EOF {
		t.Fatalf("a stopping user function: expected the open stream to end OK, got %v", err)
	}
	<-stopped
}
