
ï
shoppingcart/domain.proto$com.example.shoppingcart.persistence"X
LineItem
	productId (	R	productId
name (	Rname
quantity (Rquantity"O
	ItemAddedB
item (2..com.example.shoppingcart.persistence.LineItemRitem"+
ItemRemoved
	productId (	R	productId"L
CartD
items (2..com.example.shoppingcart.persistence.LineItemRitemsbproto3