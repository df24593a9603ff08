// The TCK model entity user function: --host/--port, else HOST/PORT, else 0.0.0.0:8080, and
// --snapshot-every N (default 5, 0 never); persistence id tck-model.
// DEBUG=stateserv-event-sourcing logs the protocol traffic.
package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"

	"example.com/serverless-go/eventsourcing"
	"example.com/serverless-go/model"
)

func main() {
	host := flag.String("host", "", "address to listen on (else HOST, else 0.0.0.0)")
	port := flag.String("port", "", "port to listen on, 0 for a free one (else PORT, else 8080)")
	snapshotEvery := flag.String("snapshot-every", strconv.Itoa(model.DefaultSnapshotEvery), "a snapshot whenever an event's sequence number is a multiple of N; 0 never")
	flag.Parse()
	const name = "tck-model"
	address, err := eventsourcing.ListenAddress(*host, *port)
	if err != nil {
		os.Exit(eventsourcing.CannotStart(name, err))
	}
	every, err := strconv.Atoi(*snapshotEvery)
	if err != nil || every < 0 {
		os.Exit(eventsourcing.CannotStart(name, fmt.Errorf("invalid --snapshot-every %q: expected a whole number ≥ 0", *snapshotEvery)))
	}
	entity, err := model.New(every)
	if err != nil {
		os.Exit(eventsourcing.CannotStart(name, err))
	}
	os.Exit(eventsourcing.RunMain(name, entity, address, fmt.Sprintf(" (snapshot every %d)", every)))
}
