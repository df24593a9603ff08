// Package model is the TCK model entity (proto/tck/model.proto, behaviour in proto/tck/README.md) on the
// eventsourcing library: the state is a string each Appended event appends to.
package model

import (
	"errors"

	"example.com/serverless-go/eventsourcing"
	"example.com/serverless-go/gen/modelpb"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/emptypb"
)

const (
	PersistenceID        = "tck-model"
	ServiceName          = "lightbend.serverless.tck.model.ModelEntity"
	DefaultSnapshotEvery = 5
)

type context = eventsourcing.Context[string]

// New defines the model entity; snapshotEvery is N (default 5, 0 never).
func New(snapshotEvery int) (*eventsourcing.Entity[string], error) {
	entity, err := eventsourcing.New(eventsourcing.Options[string]{
		File:          modelpb.File_tck_model_proto,
		ServiceName:   ServiceName,
		PersistenceID: PersistenceID,
		SnapshotEvery: snapshotEvery,
		InitialState:  func(string) string { return "" },
		Snapshot: eventsourcing.Snapshot[string]{
			Type:        (&modelpb.State{}).ProtoReflect().Type(),
			ToMessage:   func(state string) proto.Message { return &modelpb.State{Value: state} },
			FromMessage: func(m proto.Message) (string, error) { return m.(*modelpb.State).GetValue(), nil },
		},
	})
	if err != nil {
		return nil, err
	}
	eventsourcing.HandleCommand(entity, "Process", func(ctx *context, r *modelpb.Request) (proto.Message, error) {
		return process(ctx, r.GetActions())
	})
	eventsourcing.HandleCommand(entity, "ProcessStream", func(ctx *context, r *modelpb.Request) (proto.Message, error) {
		return process(ctx, r.GetActions())
	})
	eventsourcing.HandleCommand(entity, "ProcessComposite", func(ctx *context, r *modelpb.CompositeRequest) (proto.Message, error) {
		return process(ctx, r.GetActions())
	})
	eventsourcing.HandleCommand(entity, "ProcessEmpty", func(ctx *context, r *modelpb.Request) (proto.Message, error) {
		if _, err := process(ctx, r.GetActions()); err != nil {
			return nil, err
		}
		return &emptypb.Empty{}, nil
	})
	eventsourcing.HandleEvent(entity, func(state string, event *modelpb.Appended) string { return state + event.GetValue() })
	return entity, nil
}

// process runs the actions in order; fail and throw end the command there.
func process(ctx *context, actions []*modelpb.RequestAction) (proto.Message, error) {
	message := ""
	for _, step := range actions {
		switch action := step.GetAction().(type) {
		case *modelpb.RequestAction_Emit:
			if err := ctx.Emit(&modelpb.Appended{Value: action.Emit.GetValue()}); err != nil {
				return nil, err
			}
		case *modelpb.RequestAction_Fail:
			return nil, eventsourcing.Fail(action.Fail.GetDescription())
		case *modelpb.RequestAction_Respond:
			message = action.Respond.GetMessage()
		case *modelpb.RequestAction_Throw:
			// Go's equivalent of throwing: an error (the library makes it a Failure that names the command).
			return nil, errors.New(action.Throw.GetMessage())
		}
	}
	return &modelpb.Response{State: ctx.State(), Message: message}, nil
}
