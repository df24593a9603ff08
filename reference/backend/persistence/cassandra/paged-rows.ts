import type { ArrayOrObject, Client, QueryOptions, types } from "cassandra-driver";

/**
 * The rows of a query one page at a time. The next page is asked for as soon as a page arrives,
 * so it is on its way while the consumer works through this one (replay sends the rows to the
 * user function meanwhile); no more than that one page is fetched ahead, so a long history is
 * never held in memory at once. A consumer that stops early leaves the page fetched ahead unread.
 */
export async function* pagedRows(
  client: Client,
  query: string,
  params: ArrayOrObject,
  options: QueryOptions & { readonly fetchSize: number },
): AsyncGenerator<types.Row> {
  const fetch = (pageState: string | undefined) =>
    client.execute(query, params, {
      ...options,
      prepare: true,
      ...(pageState !== undefined && { pageState }),
    });
  let next: Promise<types.ResultSet> | undefined = fetch(undefined);
  while (next) {
    const page: types.ResultSet = await next;
    const pageState = page.pageState || undefined;
    next = pageState === undefined ? undefined : fetch(pageState);
    // A page fetched ahead and never awaited (the consumer stopped, or this page's rows threw) must not reject unhandled.
    next?.catch(() => {});
    for (const row of page.rows) yield row;
  }
}
