package eventsourcing_test

// Transcripts of one handle stream, driven through the sans-IO Session: what goes in, what must come
// out (replies, failures) or how the stream must end (status code).

import (
	"strings"
	"testing"

	"example.com/serverless-go/eventsourcing"
	persistence "example.com/serverless-go/gen/cartpersistencepb"
	"example.com/serverless-go/gen/modelpb"
	"example.com/serverless-go/gen/serverlesspb"
	api "example.com/serverless-go/gen/shoppingcartpb"
	"example.com/serverless-go/model"
	"example.com/serverless-go/shoppingcart"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
)

func anyOf(t *testing.T, m proto.Message) *anypb.Any {
	t.Helper()
	a, err := anypb.New(m)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func initIn(id string, snapshot *serverlesspb.Snapshot) *serverlesspb.EntityStreamIn {
	return &serverlesspb.EntityStreamIn{Message: &serverlesspb.EntityStreamIn_Init{Init: &serverlesspb.Init{EntityId: id, Snapshot: snapshot}}}
}

func eventIn(t *testing.T, sequence int64, payload proto.Message) *serverlesspb.EntityStreamIn {
	return &serverlesspb.EntityStreamIn{Message: &serverlesspb.EntityStreamIn_Event{Event: &serverlesspb.Event{Sequence: sequence, Payload: anyOf(t, payload)}}}
}

func commandIn(t *testing.T, entityID string, id int64, name string, payload proto.Message) *serverlesspb.EntityStreamIn {
	return &serverlesspb.EntityStreamIn{Message: &serverlesspb.EntityStreamIn_Command{Command: &serverlesspb.Command{
		EntityId: entityID, Id: id, Name: name, Payload: anyOf(t, payload),
	}}}
}

func emit(values ...string) *modelpb.Request {
	r := &modelpb.Request{Id: "m"}
	for _, v := range values {
		r.Actions = append(r.Actions, &modelpb.RequestAction{Action: &modelpb.RequestAction_Emit{Emit: &modelpb.Emit{Value: v}}})
	}
	return r
}

func withAction(r *modelpb.Request, action *modelpb.RequestAction) *modelpb.Request {
	r.Actions = append(r.Actions, action)
	return r
}

func modelSession(t *testing.T, snapshotEvery int) eventsourcing.StreamSession {
	t.Helper()
	entity, err := model.New(snapshotEvery)
	if err != nil {
		t.Fatal(err)
	}
	return entity.NewSession()
}

// quiet: the message is accepted and answered with nothing.
func quiet(t *testing.T, s eventsourcing.StreamSession, in *serverlesspb.EntityStreamIn) {
	t.Helper()
	step := s.Receive(in)
	if step.Violation != nil || len(step.Send) != 0 {
		t.Fatalf("expected no answer to %v, got send=%v violation=%v", in, step.Send, step.Violation)
	}
}

func reply(t *testing.T, s eventsourcing.StreamSession, in *serverlesspb.EntityStreamIn) *serverlesspb.Reply {
	t.Helper()
	step := s.Receive(in)
	if step.Violation != nil || len(step.Send) != 1 || step.Send[0].GetReply() == nil {
		t.Fatalf("expected one Reply to %v, got send=%v violation=%v", in, step.Send, step.Violation)
	}
	r := step.Send[0].GetReply()
	if r.GetCommandId() != in.GetCommand().GetId() {
		t.Fatalf("reply carries command id %d, expected %d", r.GetCommandId(), in.GetCommand().GetId())
	}
	return r
}

func failure(t *testing.T, s eventsourcing.StreamSession, in *serverlesspb.EntityStreamIn) string {
	t.Helper()
	step := s.Receive(in)
	if step.Violation != nil || len(step.Send) != 1 || step.Send[0].GetFailure() == nil {
		t.Fatalf("expected one Failure to %v, got send=%v violation=%v", in, step.Send, step.Violation)
	}
	f := step.Send[0].GetFailure()
	if f.GetCommandId() != in.GetCommand().GetId() {
		t.Fatalf("failure carries command id %d, expected %d", f.GetCommandId(), in.GetCommand().GetId())
	}
	return f.GetDescription()
}

func ends(t *testing.T, s eventsourcing.StreamSession, in *serverlesspb.EntityStreamIn, code codes.Code, contains string) {
	t.Helper()
	step := s.Receive(in)
	if step.Violation == nil {
		t.Fatalf("expected the stream to end with %s (%q) on %v, but it answered %v", code, contains, in, step.Send)
	}
	if step.Violation.Code != code || !strings.Contains(step.Violation.Message, contains) {
		t.Fatalf("expected the stream to end with %s containing %q, got %s: %s", code, contains, step.Violation.Code, step.Violation.Message)
	}
	// A session that ended accepts nothing more.
	if again := s.Receive(commandIn(t, "m", 99, "Process", emit("z"))); again.Violation == nil {
		t.Fatalf("after ending with %s the session still answered %v", code, again.Send)
	}
}

func state(t *testing.T, r *serverlesspb.Reply) string {
	t.Helper()
	var response modelpb.Response
	if err := r.GetPayload().UnmarshalTo(&response); err != nil {
		t.Fatalf("reply payload %s is not a Response: %v", r.GetPayload().GetTypeUrl(), err)
	}
	return response.GetState()
}

func TestReplayThenCommands(t *testing.T) {
	s := modelSession(t, 5)
	quiet(t, s, initIn("m", nil))
	quiet(t, s, eventIn(t, 1, &modelpb.Appended{Value: "a"}))
	quiet(t, s, eventIn(t, 2, &modelpb.Appended{Value: "b"}))
	r := reply(t, s, commandIn(t, "m", 1, "Process", emit("c", "d")))
	if got := state(t, r); got != "abcd" {
		t.Fatalf("state after replay of a, b and emitting c, d: expected abcd, got %q", got)
	}
	if len(r.GetEvents()) != 2 || r.GetEvents()[0].GetTypeUrl() != "type.googleapis.com/lightbend.serverless.tck.model.Appended" {
		t.Fatalf("expected two Appended events in emission order, got %v", r.GetEvents())
	}
	if r.GetSnapshot() != nil {
		t.Fatalf("events 3 and 4 with snapshot every 5: expected no snapshot, got %v", r.GetSnapshot())
	}
	// Events 5 and 6: 5 is a multiple of 5, so this reply carries the state after both.
	r = reply(t, s, commandIn(t, "m", 2, "Process", emit("e", "f")))
	var snapshot modelpb.State
	if r.GetSnapshot() == nil || r.GetSnapshot().UnmarshalTo(&snapshot) != nil || snapshot.GetValue() != "abcdef" {
		t.Fatalf("events 5 and 6: expected a State snapshot abcdef, got %v", r.GetSnapshot())
	}
}

func TestInitSnapshotSetsStateAndSequence(t *testing.T) {
	s := modelSession(t, 5)
	quiet(t, s, initIn("m", &serverlesspb.Snapshot{SnapshotSequence: 4, Snapshot: anyOf(t, &modelpb.State{Value: "xyzw"})}))
	r := reply(t, s, commandIn(t, "m", 1, "Process", emit("5")))
	if state(t, r) != "xyzw5" || r.GetSnapshot() == nil {
		t.Fatalf("snapshot at 4 then event 5: expected state xyzw5 with a snapshot, got %q snapshot=%v", state(t, r), r.GetSnapshot())
	}
}

func TestFailAndThrowAreFailuresThatChangeNothing(t *testing.T) {
	s := modelSession(t, 5)
	quiet(t, s, initIn("m", nil))
	failed := withAction(emit("lost"), &modelpb.RequestAction{Action: &modelpb.RequestAction_Fail{Fail: &modelpb.Fail{Description: "no way"}}})
	if got := failure(t, s, commandIn(t, "m", 1, "Process", failed)); got != "no way" {
		t.Fatalf("fail: expected the description exactly, got %q", got)
	}
	thrown := withAction(emit("lost"), &modelpb.RequestAction{Action: &modelpb.RequestAction_Throw{Throw: &modelpb.Throw{Message: "boom"}}})
	if got := failure(t, s, commandIn(t, "m", 2, "Process", thrown)); !strings.Contains(got, "boom") {
		t.Fatalf("throw: expected a Failure naming the error, got %q", got)
	}
	if got := state(t, reply(t, s, commandIn(t, "m", 3, "Process", emit("kept")))); got != "kept" {
		t.Fatalf("after a failed and a thrown command: expected state kept, got %q", got)
	}
}

func TestProcessEmptyRepliesEmpty(t *testing.T) {
	s := modelSession(t, 5)
	quiet(t, s, initIn("m", nil))
	r := reply(t, s, commandIn(t, "m", 1, "ProcessEmpty", emit("a")))
	if r.GetPayload().GetTypeUrl() != "type.googleapis.com/google.protobuf.Empty" || len(r.GetEvents()) != 1 {
		t.Fatalf("ProcessEmpty: expected an Empty payload and one event, got %v", r)
	}
}

func TestUnknownCommandAndUndecodablePayloadAreFailures(t *testing.T) {
	s := modelSession(t, 5)
	quiet(t, s, initIn("m", nil))
	if got := failure(t, s, commandIn(t, "m", 1, "Nope", emit("a"))); !strings.Contains(got, "Unknown command Nope") {
		t.Fatalf("unknown command: got %q", got)
	}
	garbage := &serverlesspb.EntityStreamIn{Message: &serverlesspb.EntityStreamIn_Command{Command: &serverlesspb.Command{
		EntityId: "m", Id: 2, Name: "Process",
		Payload: &anypb.Any{TypeUrl: "type.googleapis.com/lightbend.serverless.tck.model.Request", Value: []byte{0xff, 0xff, 0xff}},
	}}}
	if got := failure(t, s, garbage); !strings.Contains(got, "Cannot decode the Process payload") {
		t.Fatalf("undecodable payload: got %q", got)
	}
	wrongType := commandIn(t, "m", 3, "Process", &modelpb.State{Value: "x"})
	if got := failure(t, s, wrongType); !strings.Contains(got, "is not lightbend.serverless.tck.model.Request") {
		t.Fatalf("payload of another type: got %q", got)
	}
	if got := state(t, reply(t, s, commandIn(t, "m", 4, "Process", emit("ok")))); got != "ok" {
		t.Fatalf("the stream carries on after Failures: expected state ok, got %q", got)
	}
}

func TestProtocolErrorsEndTheStream(t *testing.T) {
	cases := []struct {
		name     string
		before   func(t *testing.T) []*serverlesspb.EntityStreamIn
		bad      func(t *testing.T) *serverlesspb.EntityStreamIn
		code     codes.Code
		contains string
	}{
		{"second Init", func(t *testing.T) []*serverlesspb.EntityStreamIn {
			return []*serverlesspb.EntityStreamIn{initIn("m", nil)}
		},
			func(t *testing.T) *serverlesspb.EntityStreamIn { return initIn("m", nil) }, codes.FailedPrecondition, "a second Init"},
		{"Event before Init", func(t *testing.T) []*serverlesspb.EntityStreamIn { return nil },
			func(t *testing.T) *serverlesspb.EntityStreamIn { return eventIn(t, 1, &modelpb.Appended{Value: "a"}) }, codes.FailedPrecondition, "an Event before Init"},
		{"Command before Init", func(t *testing.T) []*serverlesspb.EntityStreamIn { return nil },
			func(t *testing.T) *serverlesspb.EntityStreamIn { return commandIn(t, "m", 1, "Process", emit("a")) }, codes.FailedPrecondition, "a Command before Init"},
		{"Command for another entity", func(t *testing.T) []*serverlesspb.EntityStreamIn {
			return []*serverlesspb.EntityStreamIn{initIn("m", nil)}
		},
			func(t *testing.T) *serverlesspb.EntityStreamIn { return commandIn(t, "other", 1, "Process", emit("a")) }, codes.FailedPrecondition, `a Command for entity "other"`},
		{"command id that does not increase", func(t *testing.T) []*serverlesspb.EntityStreamIn {
			return []*serverlesspb.EntityStreamIn{initIn("m", nil), commandIn(t, "m", 1, "Process", emit("a"))}
		}, func(t *testing.T) *serverlesspb.EntityStreamIn { return commandIn(t, "m", 1, "Process", emit("b")) }, codes.FailedPrecondition, "command id 1 does not increase"},
		{"Event after the first Command", func(t *testing.T) []*serverlesspb.EntityStreamIn {
			return []*serverlesspb.EntityStreamIn{initIn("m", nil), commandIn(t, "m", 1, "Process", emit("a"))}
		}, func(t *testing.T) *serverlesspb.EntityStreamIn { return eventIn(t, 2, &modelpb.Appended{Value: "b"}) }, codes.FailedPrecondition, "an Event after the first Command"},
		{"event of an unknown type", func(t *testing.T) []*serverlesspb.EntityStreamIn {
			return []*serverlesspb.EntityStreamIn{initIn("m", nil)}
		},
			func(t *testing.T) *serverlesspb.EntityStreamIn { return eventIn(t, 1, &modelpb.State{Value: "a"}) }, codes.InvalidArgument, "no event handler for lightbend.serverless.tck.model.State"},
		{"event sequence gap", func(t *testing.T) []*serverlesspb.EntityStreamIn {
			return []*serverlesspb.EntityStreamIn{initIn("m", nil)}
		},
			func(t *testing.T) *serverlesspb.EntityStreamIn { return eventIn(t, 2, &modelpb.Appended{Value: "a"}) }, codes.InvalidArgument, "Event sequence 2 does not follow 0"},
		{"message with no case", func(t *testing.T) []*serverlesspb.EntityStreamIn {
			return []*serverlesspb.EntityStreamIn{initIn("m", nil)}
		},
			func(t *testing.T) *serverlesspb.EntityStreamIn { return &serverlesspb.EntityStreamIn{} }, codes.InvalidArgument, "without a message case"},
		{"snapshot of another type", func(t *testing.T) []*serverlesspb.EntityStreamIn { return nil },
			func(t *testing.T) *serverlesspb.EntityStreamIn {
				return initIn("m", &serverlesspb.Snapshot{SnapshotSequence: 1, Snapshot: anyOf(t, &modelpb.Appended{Value: "a"})})
			}, codes.InvalidArgument, "is not the entity's snapshot type"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := modelSession(t, 5)
			for _, in := range c.before(t) {
				s.Receive(in)
			}
			ends(t, s, c.bad(t), c.code, c.contains)
		})
	}
}

// Event handlers that mutate the state (the cart's do) must not leak a failed command's events.
func TestFailedCommandLeavesMutatedStateUntouched(t *testing.T) {
	entity, err := eventsourcing.New(eventsourcing.Options[*persistence.Cart]{
		File: api.File_shoppingcart_shoppingcart_proto, ServiceName: shoppingcart.ServiceName, PersistenceID: "p",
		InitialState: func(string) *persistence.Cart { return &persistence.Cart{} },
		Snapshot:     eventsourcing.MessageSnapshot[*persistence.Cart](),
	})
	if err != nil {
		t.Fatal(err)
	}
	eventsourcing.HandleCommand(entity, "AddItem", func(ctx *eventsourcing.Context[*persistence.Cart], add *api.AddLineItem) (proto.Message, error) {
		if err := ctx.Emit(&persistence.ItemAdded{Item: &persistence.LineItem{ProductId: add.GetProductId(), Quantity: add.GetQuantity()}}); err != nil {
			return nil, err
		}
		if add.GetName() == "fail" {
			return nil, eventsourcing.Fail("failed after emitting")
		}
		if add.GetName() == "panic" {
			panic("handler panicked")
		}
		return nil, nil
	})
	eventsourcing.HandleCommand(entity, "GetCart", func(ctx *eventsourcing.Context[*persistence.Cart], _ *api.GetShoppingCart) (proto.Message, error) {
		return &api.Cart{Items: []*api.LineItem{{ProductId: "p", Quantity: ctx.State().GetItems()[0].GetQuantity()}}}, nil
	})
	eventsourcing.HandleEvent(entity, func(cart *persistence.Cart, e *persistence.ItemAdded) *persistence.Cart {
		if len(cart.Items) == 0 {
			cart.Items = append(cart.Items, e.GetItem())
		} else {
			cart.Items[0].Quantity += e.GetItem().GetQuantity() // mutates in place
		}
		return cart
	})
	s := entity.NewSession()
	quiet(t, s, initIn("u", nil))
	reply(t, s, commandIn(t, "u", 1, "AddItem", &api.AddLineItem{UserId: "u", ProductId: "p", Quantity: 1}))
	if got := failure(t, s, commandIn(t, "u", 2, "AddItem", &api.AddLineItem{UserId: "u", ProductId: "p", Quantity: 10, Name: "fail"})); got != "failed after emitting" {
		t.Fatalf("expected the Fail description, got %q", got)
	}
	if got := failure(t, s, commandIn(t, "u", 3, "AddItem", &api.AddLineItem{UserId: "u", ProductId: "p", Quantity: 100, Name: "panic"})); !strings.Contains(got, "handler panicked") {
		t.Fatalf("a panicking handler: expected a Failure naming the panic, got %q", got)
	}
	r := reply(t, s, commandIn(t, "u", 4, "GetCart", &api.GetShoppingCart{UserId: "u"}))
	var cart api.Cart
	if err := r.GetPayload().UnmarshalTo(&cart); err != nil || cart.GetItems()[0].GetQuantity() != 1 {
		t.Fatalf("after a failed and a panicking command: expected quantity 1, got %v (%v)", cart.GetItems(), err)
	}
}

func TestEachSessionStartsFresh(t *testing.T) {
	entity, err := model.New(5)
	if err != nil {
		t.Fatal(err)
	}
	first := entity.NewSession()
	quiet(t, first, initIn("m", nil))
	reply(t, first, commandIn(t, "m", 1, "Process", emit("a")))
	second := entity.NewSession()
	quiet(t, second, initIn("m", nil))
	if got := state(t, reply(t, second, commandIn(t, "m", 1, "Process", emit("b")))); got != "b" {
		t.Fatalf("a second stream of the same entity shares nothing: expected b, got %q", got)
	}
}
