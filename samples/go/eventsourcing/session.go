package eventsourcing

import (
	"errors"
	"fmt"

	"example.com/serverless-go/gen/serverlesspb"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/anypb"
)

// Violation is a protocol error the user function detects: the stream ends with this status.
type Violation struct {
	Code    codes.Code
	Message string
}

func (v *Violation) Error() string { return fmt.Sprintf("%s: %s", v.Code, v.Message) }

// Step is what the stream does after one inbound message: send Send (possibly nothing) and read on,
// or, when Violation is set, end the stream with its status.
type Step struct {
	Send      []*serverlesspb.EntityStreamOut
	Violation *Violation
}

// StreamSession is the protocol of one handle stream, without IO.
type StreamSession interface {
	Receive(message *serverlesspb.EntityStreamIn) Step
}

type phase int

const (
	awaitingInit phase = iota
	replaying
	handlingCommands
	failed
)

// Session is the protocol for one handle stream, without IO: feed it each inbound message in arrival
// order and do what the returned Step says. It never panics on user code: a panicking handler is a
// Failure (command) or an INTERNAL violation (replay).
type Session[S any] struct {
	entity        *Entity[S]
	phase         phase
	entityID      string
	state         S
	sequence      int64 // the last event applied: snapshot, replay, or this stream's replies
	lastCommandID int64
	violation     *Violation
}

// NewSession starts the protocol of one stream; each stream has its own, from the initial state.
func (e *Entity[S]) NewSession() StreamSession { return &Session[S]{entity: e} }

func violation(code codes.Code, format string, args ...any) *Violation {
	return &Violation{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Receive processes one inbound message.
func (s *Session[S]) Receive(message *serverlesspb.EntityStreamIn) Step {
	if s.violation != nil {
		return Step{Violation: s.violation}
	}
	send, v := s.process(message)
	if v != nil {
		s.phase = failed
		s.violation = v
		return Step{Violation: v}
	}
	return Step{Send: send}
}

func (s *Session[S]) process(message *serverlesspb.EntityStreamIn) ([]*serverlesspb.EntityStreamOut, *Violation) {
	switch m := message.GetMessage().(type) {
	case *serverlesspb.EntityStreamIn_Init:
		return nil, s.init(m.Init)
	case *serverlesspb.EntityStreamIn_Event:
		return nil, s.replay(m.Event)
	case *serverlesspb.EntityStreamIn_Command:
		out, v := s.command(m.Command)
		if v != nil {
			return nil, v
		}
		return []*serverlesspb.EntityStreamOut{out}, nil
	default:
		return nil, violation(codes.InvalidArgument, "EntityStreamIn without a message case (init, event or command)")
	}
}

func (s *Session[S]) init(init *serverlesspb.Init) (v *Violation) {
	if s.phase != awaitingInit {
		return violation(codes.FailedPrecondition, "a second Init on the same stream")
	}
	s.entityID = init.GetEntityId()
	s.phase = replaying
	defer func() {
		if r := recover(); r != nil {
			v = violation(codes.Internal, "entity %s cannot start: %v", s.entityID, r)
		}
	}()
	offer := init.GetSnapshot()
	if offer == nil {
		s.state = s.entity.opts.InitialState(s.entityID)
		return nil
	}
	if offer.GetSnapshot() == nil {
		return violation(codes.InvalidArgument, "Init snapshot at sequence %d has no payload", offer.GetSnapshotSequence())
	}
	if offer.GetSnapshotSequence() < 0 {
		return violation(codes.InvalidArgument, "Init snapshot has a negative sequence %d", offer.GetSnapshotSequence())
	}
	state, err := s.entity.decodeSnapshot(offer.GetSnapshot())
	if err != nil {
		return violation(codes.InvalidArgument, "cannot use the Init snapshot: %v", err)
	}
	s.state = state
	s.sequence = offer.GetSnapshotSequence()
	return nil
}

func (s *Session[S]) replay(event *serverlesspb.Event) (v *Violation) {
	switch s.phase {
	case awaitingInit:
		return violation(codes.FailedPrecondition, "an Event before Init")
	case handlingCommands:
		return violation(codes.FailedPrecondition, "an Event after the first Command")
	}
	sequence := event.GetSequence()
	if sequence != s.sequence+1 {
		return violation(codes.InvalidArgument, "Event sequence %d does not follow %d", sequence, s.sequence)
	}
	if event.GetPayload() == nil {
		return violation(codes.InvalidArgument, "Event %d has no payload", sequence)
	}
	handler, decoded, err := s.entity.decodeEvent(event.GetPayload())
	if err != nil {
		return violation(codes.InvalidArgument, "cannot replay event %d: %v", sequence, err)
	}
	defer func() {
		if r := recover(); r != nil {
			v = violation(codes.Internal, "entity %s cannot continue: the handler of event %d panicked: %v", s.entityID, sequence, r)
		}
	}()
	s.state = handler.apply(s.state, decoded)
	s.sequence = sequence
	return nil
}

func (s *Session[S]) command(c *serverlesspb.Command) (*serverlesspb.EntityStreamOut, *Violation) {
	if s.phase == awaitingInit {
		return nil, violation(codes.FailedPrecondition, "a Command before Init")
	}
	if c.GetEntityId() != s.entityID {
		return nil, violation(codes.FailedPrecondition, "a Command for entity %q on the stream of %q", c.GetEntityId(), s.entityID)
	}
	if c.GetId() <= s.lastCommandID {
		return nil, violation(codes.FailedPrecondition, "command id %d does not increase (the previous command was %d)", c.GetId(), s.lastCommandID)
	}
	s.lastCommandID = c.GetId()
	s.phase = handlingCommands
	return s.run(c), nil
}

// run answers one command with a Reply or a Failure; only a Reply moves the entity on.
func (s *Session[S]) run(c *serverlesspb.Command) *serverlesspb.EntityStreamOut {
	id, name := c.GetId(), c.GetName()
	failure := func(format string, args ...any) *serverlesspb.EntityStreamOut {
		return &serverlesspb.EntityStreamOut{Message: &serverlesspb.EntityStreamOut_Failure{
			Failure: &serverlesspb.Failure{CommandId: id, Description: fmt.Sprintf(format, args...)},
		}}
	}
	if s.entity.service.Methods().ByName(protoreflect.Name(name)) == nil {
		return failure("Unknown command %s for %s", name, s.entity.service.FullName())
	}
	cmd, ok := s.entity.commands[name]
	if !ok {
		return failure("No handler for command %s", name)
	}
	want := cmd.input.Descriptor().FullName()
	if got := fullNameOf(c.GetPayload().GetTypeUrl()); c.GetPayload() == nil || got != want {
		return failure("Cannot decode the %s payload: its type %q is not %s", name, c.GetPayload().GetTypeUrl(), want)
	}
	request := cmd.input.New().Interface()
	if err := proto.Unmarshal(c.GetPayload().GetValue(), request); err != nil {
		return failure("Cannot decode the %s payload as %s: %v", name, want, err)
	}
	ctx := &Context[S]{EntityID: s.entityID, CommandID: id, CommandName: name, entity: s.entity, state: s.state, active: true}
	result, err := callHandler(cmd, ctx, request)
	ctx.active = false
	if err == nil {
		err = ctx.err
	}
	if err != nil {
		var f *CommandFailure
		if errors.As(err, &f) {
			return failure("%s", f.Description)
		}
		return failure("%s failed: %v", name, err)
	}
	payload, err := s.encodeReply(cmd, result)
	if err != nil {
		return failure("%s failed: %v", name, err)
	}
	reply := &serverlesspb.Reply{CommandId: id, Payload: payload, Events: ctx.events}
	if s.snapshotDue(len(ctx.events)) {
		snapshot, err := s.entity.encodeSnapshot(ctx.state)
		if err != nil {
			return failure("%s failed: cannot encode the snapshot: %v", name, err)
		}
		reply.Snapshot = snapshot
	}
	s.state = ctx.state
	s.sequence += int64(len(ctx.events))
	return &serverlesspb.EntityStreamOut{Message: &serverlesspb.EntityStreamOut_Reply{Reply: reply}}
}

func callHandler[S any](cmd *command[S], ctx *Context[S], request proto.Message) (result proto.Message, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return cmd.handle(ctx, request)
}

func (s *Session[S]) encodeReply(cmd *command[S], result proto.Message) (*anypb.Any, error) {
	output := cmd.method.Output().FullName()
	if result == nil || (!result.ProtoReflect().IsValid() && result.ProtoReflect().Descriptor().FullName() == output) {
		outputType, err := outputType(cmd.method)
		if err != nil {
			return nil, fmt.Errorf("the output type %s is not registered: %w", output, err)
		}
		result = outputType.New().Interface()
	}
	if got := result.ProtoReflect().Descriptor().FullName(); got != output {
		return nil, fmt.Errorf("the reply is a %s, but the method returns %s", got, output)
	}
	return anypb.New(result)
}

// snapshotDue: one of the next eventCount sequence numbers is a multiple of SnapshotEvery.
func (s *Session[S]) snapshotDue(eventCount int) bool {
	every := int64(s.entity.opts.SnapshotEvery)
	if every == 0 || eventCount == 0 {
		return false
	}
	last := s.sequence + int64(eventCount)
	return last/every > s.sequence/every
}
