package eventsourcing

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// RunMain serves entity on address until SIGINT or SIGTERM, printing "<name> user function listening on
// HOST:PORT" once the signal handlers are in place (whoever waits for that line may stop it at once).
// It returns the process's exit code: 0 after a clean stop, 1 when it cannot start.
func RunMain(name string, entity Servable, address string, note string) int {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	server, err := Serve(entity, address, ServeOptions{Debug: DebugFromEnv()})
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s user function cannot start: %v\n", name, err)
		return 1
	}
	fmt.Printf("%s user function listening on %s%s\n", name, server.Addr(), note)
	<-signals
	fmt.Printf("%s user function stopping\n", name)
	server.Stop(5 * time.Second)
	fmt.Printf("%s user function stopped\n", name)
	return 0
}

// CannotStart prints why a main cannot start and returns exit code 1.
func CannotStart(name string, err error) int {
	fmt.Fprintf(os.Stderr, "%s user function cannot start: %v\n", name, err)
	return 1
}
