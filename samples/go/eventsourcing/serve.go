package eventsourcing

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"example.com/serverless-go/gen/serverlesspb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/emptypb"
)

// Servable is what Serve needs of an entity: *Entity[S] is one.
type Servable interface {
	Spec() *serverlesspb.EntitySpec
	NewSession() StreamSession
}

// ServeOptions tune Serve.
type ServeOptions struct {
	// Debug logs every protocol message on standard error (DebugFromEnv reads DEBUG as the TypeScript library does).
	Debug bool
}

// Server is a running user function.
type Server struct {
	grpc     *grpc.Server
	listener net.Listener
	drain    chan struct{}
	stopOnce sync.Once
	served   chan error
}

// Serve listens on address (host:port; port 0 picks a free one) and serves the Entity service for entity.
func Serve(entity Servable, address string, opts ServeOptions) (*Server, error) {
	listener, err := net.Listen("tcp", address)
	if err != nil {
		return nil, err
	}
	s := &Server{grpc: grpc.NewServer(), listener: listener, drain: make(chan struct{}), served: make(chan error, 1)}
	var logger *log.Logger
	if opts.Debug {
		logger = log.New(os.Stderr, "stateserv-event-sourcing ", 0)
	}
	serverlesspb.RegisterEntityServer(s.grpc, &entityService{entity: entity, spec: entity.Spec(), drain: s.drain, log: logger})
	go func() { s.served <- s.grpc.Serve(listener) }()
	return s, nil
}

// Addr is the address the server listens on (host:port).
func (s *Server) Addr() string { return s.listener.Addr().String() }

// Stop stops accepting streams, ends each open stream with an OK status once the message it is on is
// answered, and returns when all are done; after grace it cuts what is left.
func (s *Server) Stop(grace time.Duration) {
	s.stopOnce.Do(func() { close(s.drain) })
	done := make(chan struct{})
	go func() { s.grpc.GracefulStop(); close(done) }()
	select {
	case <-done:
	case <-time.After(grace):
		s.grpc.Stop()
		<-done
	}
}

type entityService struct {
	serverlesspb.UnimplementedEntityServer
	entity  Servable
	spec    *serverlesspb.EntitySpec
	drain   chan struct{}
	log     *log.Logger
	streams atomic.Int64
}

func (e *entityService) Ready(context.Context, *emptypb.Empty) (*serverlesspb.EntitySpec, error) {
	return e.spec, nil
}

type received struct {
	message *serverlesspb.EntityStreamIn
	err     error
}

// Handle is the stream loop: every inbound message goes to the session in arrival order, its answers go
// out in the same order, a violation ends the stream with its status, the backend's half-close ends it OK.
func (e *entityService) Handle(stream serverlesspb.Entity_HandleServer) error {
	number := e.streams.Add(1)
	e.debugf(number, "opened")
	session := e.entity.NewSession()
	inbound := make(chan received)
	go func() {
		for {
			message, err := stream.Recv()
			select {
			case inbound <- received{message, err}:
			case <-stream.Context().Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	for {
		select {
		case <-e.drain:
			e.debugf(number, "ends (the user function is stopping)")
			return nil
		case in := <-inbound:
			if in.err == io.EOF {
				e.debugf(number, "ends")
				return nil
			}
			if in.err != nil {
				e.debugf(number, "cancelled by the backend: %v", in.err)
				return in.err
			}
			e.debugf(number, "<- %s", compact(in.message))
			step := session.Receive(in.message)
			if step.Violation != nil {
				e.debugf(number, "ends with %s: %s", step.Violation.Code, step.Violation.Message)
				return status.Error(step.Violation.Code, step.Violation.Message)
			}
			for _, out := range step.Send {
				e.debugf(number, "-> %s", compact(out))
				if err := stream.Send(out); err != nil {
					return err
				}
			}
		}
	}
}

func (e *entityService) debugf(stream int64, format string, args ...any) {
	if e.log != nil {
		e.log.Printf("stream %d %s", stream, fmt.Sprintf(format, args...))
	}
}

func compact(m proto.Message) string {
	return prototext.MarshalOptions{}.Format(m)
}

// DebugFromEnv: DEBUG names stateserv-event-sourcing (comma- or space-separated patterns, * wildcards,
// a leading - excludes), as for the TypeScript library.
func DebugFromEnv() bool {
	enabled := false
	for _, pattern := range strings.FieldsFunc(os.Getenv("DEBUG"), func(r rune) bool { return r == ',' || r == ' ' }) {
		exclude := strings.HasPrefix(pattern, "-")
		if matchesWildcard(strings.TrimPrefix(pattern, "-"), "stateserv-event-sourcing") {
			if exclude {
				return false
			}
			enabled = true
		}
	}
	return enabled
}

func matchesWildcard(pattern, name string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == name
	}
	if !strings.HasPrefix(name, parts[0]) {
		return false
	}
	rest := name[len(parts[0]):]
	for _, part := range parts[1 : len(parts)-1] {
		i := strings.Index(rest, part)
		if i < 0 {
			return false
		}
		rest = rest[i+len(part):]
	}
	return strings.HasSuffix(rest, parts[len(parts)-1])
}

// ListenAddress resolves a main's --host and --port values (empty: not given), else HOST and PORT, else
// 0.0.0.0:8080. A port that is not a whole number from 0 to 65535 is an error naming it.
func ListenAddress(host, port string) (string, error) {
	if host == "" {
		host = os.Getenv("HOST")
	}
	if host == "" {
		host = "0.0.0.0"
	}
	if port == "" {
		port = os.Getenv("PORT")
	}
	if port == "" {
		port = "8080"
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 || strings.TrimSpace(port) != port {
		return "", fmt.Errorf("invalid port %q: expected a whole number from 0 to 65535", port)
	}
	return net.JoinHostPort(host, strconv.Itoa(n)), nil
}
