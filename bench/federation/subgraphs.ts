import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type GraphQLSchema } from 'graphql';

/**
 * The four subgraphs of The Guild's public federation gateway benchmark (accounts, inventory,
 * products, reviews: the classic Apollo federation demo shape), written as Federation 2 SDL, with
 * data of the project's own: deterministic, no randomness, the same answer on every start.
 */

export type FederationSubgraph = 'accounts' | 'inventory' | 'products' | 'reviews';
export const FEDERATION_SUBGRAPHS: readonly FederationSubgraph[] = ['accounts', 'inventory', 'products', 'reviews'];

const LINK = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@external", "@requires", "@provides", "@shareable"])`;

export const FEDERATION_SDL: Record<FederationSubgraph, string> = {
  accounts: `${LINK}
type Query {
  me: User
  user(id: ID!): User
  users: [User]
}
type User @key(fields: "id") {
  id: ID!
  name: String
  username: String @shareable
  birthday: Int
}
`,
  inventory: `${LINK}
type Product @key(fields: "upc") {
  upc: String!
  weight: Int @external
  price: Int @external
  inStock: Boolean
  shippingEstimate: Int @requires(fields: "price weight")
}
`,
  products: `${LINK}
type Query {
  topProducts(first: Int = 5): [Product]
}
type Product @key(fields: "upc") {
  upc: String!
  name: String
  price: Int
  weight: Int
}
`,
  reviews: `${LINK}
type Review @key(fields: "id") {
  id: ID!
  body: String
  author: User @provides(fields: "username")
  product: Product
}
type User @key(fields: "id") {
  id: ID!
  username: String @external
  reviews: [Review]
}
type Product @key(fields: "upc") {
  upc: String!
  reviews: [Review]
}
`,
};

/** The benchmark's query (its k6 script's TestQuery): users and top products, reviews, authors and products nested. */
export const FEDERATION_QUERY = `fragment User on User { id username name }
fragment Review on Review { id body }
fragment Product on Product { inStock name price shippingEstimate upc weight }
query TestQuery {
  users { ...User reviews { ...Review product { ...Product reviews { ...Review author { ...User reviews { ...Review product { ...Product } } } } } } }
  topProducts { ...Product reviews { ...Review author { ...User reviews { ...Review product { ...Product } } } } }
}`;

interface User {
  id: string;
  name: string;
  username: string;
  birthday: number;
}
interface Product {
  upc: string;
  name: string;
  price: number;
  weight: number;
}
interface Review {
  id: string;
  body: string;
  authorId: string;
  upc: string;
}

const USERS = 10;
const PRODUCTS = 10;
const REVIEWS_PER_PRODUCT = 3;
const WORDS = ['solid', 'light', 'sturdy', 'quiet', 'bright', 'compact', 'reliable', 'simple', 'warm', 'sharp', 'smooth', 'handy'];

/** The data, the same on every call: 10 users, 10 products, 3 reviews per product by 3 different users. */
export function federationData(): { users: User[]; products: Product[]; reviews: Review[] } {
  const users = Array.from({ length: USERS }, (_, i) => ({
    id: String(i + 1),
    name: `User ${i + 1}`,
    username: `user${i + 1}`,
    birthday: 1_000_000 + i * 86_400,
  }));
  const products = Array.from({ length: PRODUCTS }, (_, i) => ({
    upc: String(i + 1),
    name: `Product ${i + 1}`,
    price: 100 + ((i * 337) % 1500),
    weight: 10 + ((i * 53) % 400),
  }));
  const reviews: Review[] = [];
  for (const product of products) {
    for (let k = 0; k < REVIEWS_PER_PRODUCT; k++) {
      const n = reviews.length;
      reviews.push({
        id: String(n + 1),
        body: `Review ${n + 1}: ${WORDS[n % WORDS.length]} and ${WORDS[(n * 7 + 3) % WORDS.length]}, would buy ${product.name} again`,
        authorId: String(((Number(product.upc) * 3 + k * 2) % USERS) + 1),
        upc: product.upc,
      });
    }
  }
  return { users, products, reviews };
}

/** One subgraph's executable schema (@apollo/subgraph) over the data above. */
export function federationSchema(name: FederationSubgraph): GraphQLSchema {
  const { users, products, reviews } = federationData();
  const userById = new Map(users.map((u) => [u.id, u]));
  const productByUpc = new Map(products.map((p) => [p.upc, p]));
  const reviewById = new Map(reviews.map((r) => [r.id, r]));
  const reviewJson = (r: Review) => ({ id: r.id, body: r.body, authorId: r.authorId, upc: r.upc });
  const resolvers = {
    accounts: {
      Query: { me: () => users[0], user: (_: unknown, a: { id: string }) => userById.get(a.id) ?? null, users: () => users },
      User: { __resolveReference: (ref: { id: string }) => userById.get(ref.id) ?? null },
    },
    products: {
      Query: { topProducts: (_: unknown, a: { first: number }) => products.slice(0, a.first) },
      Product: { __resolveReference: (ref: { upc: string }) => productByUpc.get(ref.upc) ?? null },
    },
    inventory: {
      Product: {
        __resolveReference: (ref: { upc: string; price?: number; weight?: number }) => ({ ...ref, inStock: Number(ref.upc) % 3 !== 0 }),
        // The benchmark's rule: free shipping above 1000, else half the weight.
        shippingEstimate: (p: { price?: number; weight?: number }) =>
          p.price === undefined || p.weight === undefined ? null : p.price > 1000 ? 0 : Math.round(p.weight / 2),
      },
    },
    reviews: {
      Review: {
        __resolveReference: (ref: { id: string }) => {
          const r = reviewById.get(ref.id);
          return r ? reviewJson(r) : null;
        },
        author: (r: Review) => ({ __typename: 'User', id: r.authorId, username: userById.get(r.authorId)?.username ?? null }),
        product: (r: Review) => ({ __typename: 'Product', upc: r.upc }),
      },
      User: {
        __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
        reviews: (u: { id: string }) => reviews.filter((r) => r.authorId === u.id),
      },
      Product: {
        __resolveReference: (ref: { upc: string }) => ({ upc: ref.upc }),
        reviews: (p: { upc: string }) => reviews.filter((r) => r.upc === p.upc),
      },
    },
  }[name];
  return buildSubgraphSchema({ typeDefs: parse(FEDERATION_SDL[name]), resolvers: resolvers as never });
}
