/**
 * What `runSeedSession` prints against a correct shopping cart (the seed's session: GetCart, eight
 * AddItems, GetCart, RemoveItem, GetCart), for the tests that run it against one cart or another.
 */
export const seedSessionTranscript: readonly string[] = [
  "GetCart user-1",
  "cart of user-1: empty",
  ...Array.from({ length: 8 }, (_, i) => `AddItem user-1 456 Flour ×1 (${i + 1} of 8): ok`),
  "GetCart user-1",
  "cart of user-1:\n     8 × Flour (product 456)",
  "RemoveItem user-1 456: ok",
  "GetCart user-1",
  "cart of user-1: empty",
];
