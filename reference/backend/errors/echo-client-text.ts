/**
 * Client-supplied text (an entity id) as an error message may quote it: cut
 * to `maxLength` characters with "…". An unbounded echo once made status
 * messages so long grpc-js never delivered them, wedging the connection.
 */
export function echoClientText(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  let cut = text.slice(0, maxLength);
  // Never leave half a surrogate pair behind.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}
