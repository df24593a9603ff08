import type { ArrayOrObject, Client, QueryOptions, types } from "cassandra-driver";

/**
 * The rows of a query one page at a time: the next page is fetched only when the consumer
 * asks for more, so a long history is never held in memory at once.
 */
export async function* pagedRows(
  client: Client,
  query: string,
  params: ArrayOrObject,
  options: QueryOptions & { readonly fetchSize: number },
): AsyncGenerator<types.Row> {
  let pageState: string | undefined;
  do {
    const page = await client.execute(query, params, {
      ...options,
      prepare: true,
      ...(pageState !== undefined && { pageState }),
    });
    for (const row of page.rows) yield row;
    pageState = page.pageState || undefined;
  } while (pageState !== undefined);
}
