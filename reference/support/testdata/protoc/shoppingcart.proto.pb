
£
shoppingcart/shoppingcart.protocom.example.shoppingcartgoogle/protobuf/empty.proto$lightbend/serverless/entitykey.proto"{
AddLineItem
user_id (	BêµRuserId

product_id (	R	productId
name (	Rname
quantity (Rquantity"N
RemoveLineItem
user_id (	BêµRuserId

product_id (	R	productId"0
GetShoppingCart
user_id (	BêµRuserId"Y
LineItem

product_id (	R	productId
name (	Rname
quantity (Rquantity"@
Cart8
items (2".com.example.shoppingcart.LineItemRitems2˛
ShoppingCartH
AddItem%.com.example.shoppingcart.AddLineItem.google.protobuf.EmptyN

RemoveItem(.com.example.shoppingcart.RemoveLineItem.google.protobuf.EmptyT
GetCart).com.example.shoppingcart.GetShoppingCart.com.example.shoppingcart.Cartbproto3