// Package shoppingcart is the seed's shopping cart on the eventsourcing library: its state is the journal's
// Cart message (its own snapshot), its events ItemAdded and ItemRemoved.
package shoppingcart

import (
	"fmt"

	"example.com/serverless-go/eventsourcing"
	persistence "example.com/serverless-go/gen/cartpersistencepb"
	api "example.com/serverless-go/gen/shoppingcartpb"
	"google.golang.org/protobuf/proto"
)

const (
	PersistenceID        = "shopping-cart"
	ServiceName          = "com.example.shoppingcart.ShoppingCart"
	DefaultSnapshotEvery = 5
)

type context = eventsourcing.Context[*persistence.Cart]

// New defines the cart entity; snapshotEvery is N (the seed's is 5).
func New(snapshotEvery int) (*eventsourcing.Entity[*persistence.Cart], error) {
	entity, err := eventsourcing.New(eventsourcing.Options[*persistence.Cart]{
		File:          api.File_shoppingcart_shoppingcart_proto,
		ServiceName:   ServiceName,
		PersistenceID: PersistenceID,
		SnapshotEvery: snapshotEvery,
		InitialState:  func(string) *persistence.Cart { return &persistence.Cart{} },
		Snapshot:      eventsourcing.MessageSnapshot[*persistence.Cart](),
	})
	if err != nil {
		return nil, err
	}
	eventsourcing.HandleCommand(entity, "AddItem", addItem)
	eventsourcing.HandleCommand(entity, "RemoveItem", removeItem)
	eventsourcing.HandleCommand(entity, "GetCart", getCart)
	eventsourcing.HandleEvent(entity, itemAdded)
	eventsourcing.HandleEvent(entity, itemRemoved)
	return entity, nil
}

func addItem(ctx *context, add *api.AddLineItem) (proto.Message, error) {
	if add.GetQuantity() < 1 {
		return nil, eventsourcing.Fail(fmt.Sprintf("Cannot add a quantity of %d of item %s: it must be at least 1", add.GetQuantity(), add.GetProductId()))
	}
	item := &persistence.LineItem{ProductId: add.GetProductId(), Name: add.GetName(), Quantity: add.GetQuantity()}
	return nil, ctx.Emit(&persistence.ItemAdded{Item: item}) // nil: google.protobuf.Empty
}

func removeItem(ctx *context, remove *api.RemoveLineItem) (proto.Message, error) {
	if find(ctx.State(), remove.GetProductId()) == nil {
		return nil, eventsourcing.Fail(fmt.Sprintf("Item %s not in cart", remove.GetProductId()))
	}
	return nil, ctx.Emit(&persistence.ItemRemoved{ProductId: remove.GetProductId()})
}

func getCart(ctx *context, _ *api.GetShoppingCart) (proto.Message, error) {
	reply := &api.Cart{}
	for _, item := range ctx.State().GetItems() {
		reply.Items = append(reply.Items, &api.LineItem{ProductId: item.GetProductId(), Name: item.GetName(), Quantity: item.GetQuantity()})
	}
	return reply, nil
}

// A product already in the cart gains quantity and keeps its place; a new one goes last.
func itemAdded(cart *persistence.Cart, event *persistence.ItemAdded) *persistence.Cart {
	added := event.GetItem()
	if existing := find(cart, added.GetProductId()); existing != nil {
		existing.Quantity += added.GetQuantity()
		return cart
	}
	cart.Items = append(cart.Items, &persistence.LineItem{ProductId: added.GetProductId(), Name: added.GetName(), Quantity: added.GetQuantity()})
	return cart
}

func itemRemoved(cart *persistence.Cart, event *persistence.ItemRemoved) *persistence.Cart {
	kept := cart.Items[:0:0]
	for _, item := range cart.GetItems() {
		if item.GetProductId() != event.GetProductId() {
			kept = append(kept, item)
		}
	}
	cart.Items = kept
	return cart
}

func find(cart *persistence.Cart, productID string) *persistence.LineItem {
	for _, item := range cart.GetItems() {
		if item.GetProductId() == productID {
			return item
		}
	}
	return nil
}
