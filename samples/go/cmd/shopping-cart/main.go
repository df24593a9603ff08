// The shopping cart user function: --host/--port, else HOST/PORT, else 0.0.0.0:8080; persistence id
// shopping-cart, a snapshot every 5 events. DEBUG=stateserv-event-sourcing logs the protocol traffic.
package main

import (
	"flag"
	"os"

	"example.com/serverless-go/eventsourcing"
	"example.com/serverless-go/shoppingcart"
)

func main() {
	host := flag.String("host", "", "address to listen on (else HOST, else 0.0.0.0)")
	port := flag.String("port", "", "port to listen on, 0 for a free one (else PORT, else 8080)")
	flag.Parse()
	const name = "shopping-cart"
	address, err := eventsourcing.ListenAddress(*host, *port)
	if err != nil {
		os.Exit(eventsourcing.CannotStart(name, err))
	}
	entity, err := shoppingcart.New(shoppingcart.DefaultSnapshotEvery)
	if err != nil {
		os.Exit(eventsourcing.CannotStart(name, err))
	}
	os.Exit(eventsourcing.RunMain(name, entity, address, ""))
}
