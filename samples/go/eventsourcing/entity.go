// Package eventsourcing is a small support library for event-sourced entities: it speaks the stateful
// serverless event sourcing protocol (docs/protocol.md) on google.golang.org/grpc, so an entity is a
// state type, command handlers and event handlers.
//
// An entity is defined with New, then handlers are registered with HandleCommand and HandleEvent
// (both panic on a programming error, as net/http's Handle does), then served with Serve.
package eventsourcing

import (
	"errors"
	"fmt"
	"strings"

	"example.com/serverless-go/gen/serverlesspb"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/known/anypb"
)

// TypeURLPrefix is the prefix of every Any on the wire: the type url is this plus the full message name.
const TypeURLPrefix = "type.googleapis.com/"

// Options define an entity type.
type Options[S any] struct {
	// File is the .proto file that defines the service, as Go's protobuf runtime holds it: the generated
	// File_… variable (e.g. shoppingcartpb.File_shoppingcart_shoppingcart_proto). ready() sends
	// protodesc.ToFileDescriptorProto of it, so its name is the import path and its options are intact.
	File protoreflect.FileDescriptor
	// ServiceName is the service's full name (e.g. com.example.shoppingcart.ShoppingCart).
	ServiceName protoreflect.FullName
	// PersistenceID names the entity type's journal. Not empty.
	PersistenceID string
	// SnapshotEvery is N: a reply carries a snapshot whenever one of its events gets a sequence number
	// that is a multiple of N, counted from the entity's first event. 0: never.
	SnapshotEvery int
	// InitialState is the state of an entity with no snapshot and no events.
	InitialState func(entityID string) S
	// Snapshot maps the state to its snapshot message and back.
	Snapshot Snapshot[S]
}

// Snapshot says how a state is stored as a snapshot. Event handlers may mutate the state they are given:
// before a command's first event is applied, the library copies the state through this format, so that a
// failed command leaves the state as it was.
type Snapshot[S any] struct {
	Type        protoreflect.MessageType
	ToMessage   func(state S) proto.Message
	FromMessage func(message proto.Message) (S, error)
}

// MessageSnapshot is the Snapshot of a state that is itself a generated message (its own snapshot).
func MessageSnapshot[S proto.Message]() Snapshot[S] {
	var zero S
	return Snapshot[S]{
		Type:      zero.ProtoReflect().Type(),
		ToMessage: func(state S) proto.Message { return state },
		FromMessage: func(message proto.Message) (S, error) {
			state, ok := message.(S)
			if !ok {
				return zero, fmt.Errorf("snapshot is a %s, not a %T", message.ProtoReflect().Descriptor().FullName(), zero)
			}
			return state, nil
		},
	}
}

// Entity is a defined entity type, ready to serve once its handlers are registered.
type Entity[S any] struct {
	opts     Options[S]
	service  protoreflect.ServiceDescriptor
	spec     *serverlesspb.EntitySpec
	commands map[string]*command[S]
	events   map[protoreflect.FullName]*eventHandler[S]
}

type command[S any] struct {
	method protoreflect.MethodDescriptor
	input  protoreflect.MessageType
	handle func(ctx *Context[S], command proto.Message) (proto.Message, error)
}

type eventHandler[S any] struct {
	eventType protoreflect.MessageType
	apply     func(state S, event proto.Message) S
}

// New checks the options and builds the EntitySpec that ready() answers.
func New[S any](opts Options[S]) (*Entity[S], error) {
	if opts.File == nil {
		return nil, errors.New("Options.File is required: the generated File_… descriptor of the service's .proto file")
	}
	service := opts.File.Services().ByName(opts.ServiceName.Name())
	if service == nil || service.FullName() != opts.ServiceName {
		return nil, fmt.Errorf("service %q is not defined in %s", opts.ServiceName, opts.File.Path())
	}
	if opts.PersistenceID == "" {
		return nil, errors.New("Options.PersistenceID must not be empty")
	}
	if opts.SnapshotEvery < 0 {
		return nil, fmt.Errorf("Options.SnapshotEvery must be 0 or more, not %d", opts.SnapshotEvery)
	}
	if opts.InitialState == nil {
		return nil, errors.New("Options.InitialState is required")
	}
	if opts.Snapshot.Type == nil || opts.Snapshot.ToMessage == nil || opts.Snapshot.FromMessage == nil {
		return nil, errors.New("Options.Snapshot needs Type, ToMessage and FromMessage (MessageSnapshot for a message state)")
	}
	return &Entity[S]{
		opts:    opts,
		service: service,
		spec: &serverlesspb.EntitySpec{
			Proto:         protodesc.ToFileDescriptorProto(opts.File),
			ServiceName:   string(service.FullName()),
			PersistenceId: opts.PersistenceID,
		},
		commands: map[string]*command[S]{},
		events:   map[protoreflect.FullName]*eventHandler[S]{},
	}, nil
}

// Spec is the EntitySpec that ready() answers (a copy).
func (e *Entity[S]) Spec() *serverlesspb.EntitySpec {
	return proto.Clone(e.spec).(*serverlesspb.EntitySpec)
}

// HandleCommand registers the handler of the gRPC method `name`; C is the method's input type. The
// handler returns the reply, of the method's output type (nil: its empty message), or an error: Fail's
// for a Failure with exactly that description, any other for a Failure that names the command. A panic
// is a Failure too. It panics if the method does not exist, C is not its input type, or it is registered twice.
func HandleCommand[S any, C proto.Message](e *Entity[S], name string, handler func(ctx *Context[S], command C) (proto.Message, error)) {
	method := e.service.Methods().ByName(protoreflect.Name(name))
	if method == nil {
		panic(fmt.Sprintf("eventsourcing: %s has no method %q", e.service.FullName(), name))
	}
	var zero C
	input := zero.ProtoReflect().Type()
	if input.Descriptor().FullName() != method.Input().FullName() {
		panic(fmt.Sprintf("eventsourcing: %s takes %s, not %s", name, method.Input().FullName(), input.Descriptor().FullName()))
	}
	if _, ok := e.commands[name]; ok {
		panic(fmt.Sprintf("eventsourcing: a second handler for %s", name))
	}
	e.commands[name] = &command[S]{
		method: method,
		input:  input,
		handle: func(ctx *Context[S], command proto.Message) (proto.Message, error) {
			return handler(ctx, command.(C))
		},
	}
}

// HandleEvent registers the handler of the event type E: it returns the state after the event (it may
// mutate and return the state it is given). It is used for replay and for the events a command emits alike.
// It panics if E already has a handler.
func HandleEvent[S any, E proto.Message](e *Entity[S], handler func(state S, event E) S) {
	var zero E
	eventType := zero.ProtoReflect().Type()
	name := eventType.Descriptor().FullName()
	if _, ok := e.events[name]; ok {
		panic(fmt.Sprintf("eventsourcing: a second handler for event %s", name))
	}
	e.events[name] = &eventHandler[S]{
		eventType: eventType,
		apply:     func(state S, event proto.Message) S { return handler(state, event.(E)) },
	}
}

// CommandFailure is the error Fail returns: the command fails with exactly Description.
type CommandFailure struct{ Description string }

func (f *CommandFailure) Error() string { return f.Description }

// Fail is returned by a command handler to fail the command with exactly this description: the backend
// gets a Failure, the command's events are discarded, the state is unchanged.
func Fail(description string) error { return &CommandFailure{Description: description} }

// Context is what a command handler gets besides its command.
type Context[S any] struct {
	EntityID    string
	CommandID   int64
	CommandName string

	entity *Entity[S]
	state  S
	copied bool
	active bool
	events []*anypb.Any
	err    error
}

// State is the state with the events emitted so far applied.
func (c *Context[S]) State() S { return c.state }

// Emit records an event and applies it to State() at once, through its event handler, decoded from the
// bytes that get persisted (as a replay will see it). It is persisted only if the command succeeds. An
// error (no handler for its type, or Emit after the command completed) fails the command even if the
// handler ignores it.
func (c *Context[S]) Emit(event proto.Message) error {
	err := c.emit(event)
	if err != nil && c.err == nil {
		c.err = err
	}
	return err
}

func (c *Context[S]) emit(event proto.Message) error {
	if !c.active {
		return fmt.Errorf("Emit called after command %d (%s) completed", c.CommandID, c.CommandName)
	}
	if event == nil {
		return errors.New("Emit of a nil event")
	}
	payload, err := anypb.New(event)
	if err != nil {
		return fmt.Errorf("cannot encode event %s: %w", event.ProtoReflect().Descriptor().FullName(), err)
	}
	handler, decoded, err := c.entity.decodeEvent(payload)
	if err != nil {
		return err
	}
	if !c.copied {
		copied, err := c.entity.copyState(c.state)
		if err != nil {
			return fmt.Errorf("cannot copy the state through its snapshot format: %w", err)
		}
		c.state = copied
		c.copied = true
	}
	c.state = handler.apply(c.state, decoded)
	c.events = append(c.events, payload)
	return nil
}

func (e *Entity[S]) decodeEvent(payload *anypb.Any) (*eventHandler[S], proto.Message, error) {
	name := fullNameOf(payload.GetTypeUrl())
	handler, ok := e.events[name]
	if !ok {
		return nil, nil, fmt.Errorf("no event handler for %s", name)
	}
	event := handler.eventType.New().Interface()
	if err := proto.Unmarshal(payload.GetValue(), event); err != nil {
		return nil, nil, fmt.Errorf("cannot decode %s: %w", name, err)
	}
	return handler, event, nil
}

func (e *Entity[S]) encodeSnapshot(state S) (*anypb.Any, error) {
	message := e.opts.Snapshot.ToMessage(state)
	if message == nil || message.ProtoReflect().Descriptor().FullName() != e.opts.Snapshot.Type.Descriptor().FullName() {
		return nil, fmt.Errorf("Snapshot.ToMessage must return a %s", e.opts.Snapshot.Type.Descriptor().FullName())
	}
	return anypb.New(message)
}

func (e *Entity[S]) decodeSnapshot(payload *anypb.Any) (S, error) {
	var zero S
	want := e.opts.Snapshot.Type.Descriptor().FullName()
	if name := fullNameOf(payload.GetTypeUrl()); name != want {
		return zero, fmt.Errorf("snapshot type %s is not the entity's snapshot type %s", name, want)
	}
	message := e.opts.Snapshot.Type.New().Interface()
	if err := proto.Unmarshal(payload.GetValue(), message); err != nil {
		return zero, fmt.Errorf("cannot decode %s: %w", want, err)
	}
	return e.opts.Snapshot.FromMessage(message)
}

func (e *Entity[S]) copyState(state S) (S, error) {
	encoded, err := e.encodeSnapshot(state)
	if err != nil {
		var zero S
		return zero, err
	}
	return e.decodeSnapshot(encoded)
}

// outputType is the registered Go type of a method's output (generated code registers every message).
func outputType(method protoreflect.MethodDescriptor) (protoreflect.MessageType, error) {
	return protoregistry.GlobalTypes.FindMessageByName(method.Output().FullName())
}

func fullNameOf(typeURL string) protoreflect.FullName {
	if i := strings.LastIndexByte(typeURL, '/'); i >= 0 {
		return protoreflect.FullName(typeURL[i+1:])
	}
	return protoreflect.FullName(typeURL)
}
