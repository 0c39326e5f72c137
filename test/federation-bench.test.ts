import { execute, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { composeSupergraph } from '../gateway/compose.ts';
import { FEDERATION_SDL, FEDERATION_SUBGRAPHS, federationData, federationSchema } from '../bench/federation/subgraphs.ts';

// The federation benchmark's subgraphs (npm run bench -- --federation): they compose, and their data is the same on every call.
describe('federation bench subgraphs', () => {
  it('compose into a supergraph with the benchmark query fields, without hints', () => {
    const composed = composeSupergraph({
      file: 'test',
      federationVersion: '=2.14.4',
      subgraphs: FEDERATION_SUBGRAPHS.map((name) => ({ name, routingUrl: `http://127.0.0.1:1/${name}`, source: name, sdl: FEDERATION_SDL[name] })),
    });
    expect(composed.hints).toEqual([]);
    expect(composed.supergraphSdl).toMatch(/topProducts\(first: Int = 5\): \[Product\]/);
    expect(composed.supergraphSdl).toMatch(/shippingEstimate: Int @join__field\(graph: INVENTORY, requires: "price weight"\)/);
  });

  it('serve deterministic data: top products from products, reviews by product from reviews', async () => {
    expect(federationData()).toEqual(federationData());
    const top = await execute({ schema: federationSchema('products'), document: parse('{ topProducts { upc name price weight } }') });
    expect(top.errors).toBeUndefined();
    expect(top.data?.topProducts).toHaveLength(5);
    expect((top.data?.topProducts as Array<{ upc: string }>)[0]).toEqual({ upc: '1', name: 'Product 1', price: 100, weight: 10 });
    const reviews = await execute({
      schema: federationSchema('reviews'),
      document: parse('{ _entities(representations: [{ __typename: "Product", upc: "2" }]) { ... on Product { reviews { id author { id username } } } } }'),
    });
    expect(reviews.errors).toBeUndefined();
    const got = (reviews.data?._entities as Array<{ reviews: Array<{ id: string; author: { id: string; username: string } }> }>)[0].reviews;
    expect(got.map((r) => r.id)).toEqual(['4', '5', '6']);
    expect(got.every((r) => r.author.username === `user${r.author.id}`)).toBe(true);
  });
});
