import { buildSchema, parse, specifiedRules, validate, type GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { QUERY_LIMITS, queryLimitsRule, queryTooLongMessage } from '../../common/query-limits.js';
import { ErrorCode } from '../../domain/errors.js';

const schema = buildSchema(/* GraphQL */ `
  type Query {
    system: System
    user(id: ID!): User
    users: [User!]!
    version: String
  }
  type System {
    slug: String
    name: String
    users: [User!]!
    groups: [Group!]!
  }
  type User {
    id: ID!
    name: String
    email: String
    phone: String
    organisation: Organisation
    groups: [Group!]!
  }
  type Organisation {
    id: ID!
    name: String
    users: [User!]!
  }
  type Group {
    id: ID!
    name: String
    members: [User!]!
  }
  type Mutation {
    rename(name: String!): System
  }
`);

const LIMITS = { maxDepth: 3, maxFields: 10 };

function check(query: string, limits = LIMITS): readonly GraphQLError[] {
  return validate(schema, parse(query), [...specifiedRules, queryLimitsRule(limits)]);
}

function codes(errors: readonly GraphQLError[]): unknown[] {
  return errors.map((e) => e.extensions.code);
}

describe('queryLimitsRule', () => {
  it('a small query passes', () => {
    expect(check('{ system { slug name } version }')).toEqual([]);
  });

  it('a query exactly at the depth limit passes', () => {
    expect(check('{ system { users { name } } }')).toEqual([]);
  });

  it('a query one level too deep is QUERY_TOO_DEEP', () => {
    const errors = check('{ system { users { organisation { name } } } }');
    expect(codes(errors)).toEqual([ErrorCode.QUERY_TOO_DEEP]);
    expect(errors[0]!.message).toContain('4 levels');
    expect(errors[0]!.message).toContain('at most 3');
  });

  it('depth is the longest chain, not the sum of branches', () => {
    expect(check('{ system { users { name } groups { name } } user(id: "1") { organisation { name } } }')).toEqual([]);
  });

  it('a query exactly at the field limit passes (10 fields)', () => {
    // system, slug, name, users, id, name, email, phone, version, v2 = 10 (__typename does not count)
    expect(check('{ system { slug name users { id name email phone __typename } } version v2: version }')).toEqual([]);
  });

  it('a query with too many fields is QUERY_TOO_COMPLEX', () => {
    const errors = check('{ system { slug name users { id name email phone } } version v2: version v3: version }');
    expect(codes(errors)).toEqual([ErrorCode.QUERY_TOO_COMPLEX]);
    expect(errors[0]!.message).toContain('11 fields');
  });

  it('aliased copies of the same field count each time', () => {
    const errors = check('{ a: version b: version c: version d: version e: version f: version g: version h: version i: version j: version k: version }');
    expect(codes(errors)).toEqual([ErrorCode.QUERY_TOO_COMPLEX]);
  });

  it('fields of a fragment count every time the fragment is used', () => {
    const query = `
      query {
        a: user(id: "1") { ...U }
        b: user(id: "2") { ...U }
        c: user(id: "3") { ...U }
      }
      fragment U on User { id name email }
    `;
    // 3 x (1 + 3) = 12 fields, depth 2
    expect(codes(check(query))).toEqual([ErrorCode.QUERY_TOO_COMPLEX]);
    // the same fragment used twice: 2 x 4 = 8 fields
    expect(check(`query { a: user(id: "1") { ...U } b: user(id: "2") { ...U } } fragment U on User { id name email }`)).toEqual([]);
  });

  it('nested fragments multiply', () => {
    const query = `
      query { users { ...A } }
      fragment A on User { ...B ...B }
      fragment B on User { id name email }
    `;
    // users + 2 x 3 = 7: passes; with three spreads of A's body it would not
    expect(check(query)).toEqual([]);
    const heavier = `
      query { users { ...A } }
      fragment A on User { ...B ...B ...B }
      fragment B on User { id name email phone }
    `;
    expect(codes(check(heavier))).toContain(ErrorCode.QUERY_TOO_COMPLEX);
  });

  it('depth is measured through fragments', () => {
    const query = `
      query { system { ...S } }
      fragment S on System { users { organisation { name } } }
    `;
    expect(codes(check(query))).toEqual([ErrorCode.QUERY_TOO_DEEP]);
  });

  it('depth is measured through inline fragments without counting the fragment itself', () => {
    expect(check('{ system { ... on System { users { name } } } }')).toEqual([]);
    expect(codes(check('{ system { ... on System { users { organisation { name } } } } }'))).toEqual([ErrorCode.QUERY_TOO_DEEP]);
  });

  it('a query both too deep and too complex reports both', () => {
    const errors = check('{ system { users { organisation { id name users { id name email phone } } } } version }');
    expect(codes(errors).sort()).toEqual([ErrorCode.QUERY_TOO_COMPLEX, ErrorCode.QUERY_TOO_DEEP].sort());
  });

  it('introspection fields do not count towards depth or fields', () => {
    const introspection = `{
      __schema {
        queryType { name }
        types { name kind fields { name type { name kind ofType { name kind ofType { name } } } } }
      }
      __type(name: "User") { name fields { name } }
    }`;
    expect(check(introspection)).toEqual([]);
    expect(check('{ version __typename system { __typename slug } }')).toEqual([]);
  });

  it('introspection does not hide a too-deep query next to it', () => {
    const errors = check('{ __schema { types { name } } system { users { organisation { name } } } }');
    expect(codes(errors)).toEqual([ErrorCode.QUERY_TOO_DEEP]);
  });

  it('each operation of a document is measured on its own', () => {
    const doc = `
      query A { system { slug name } }
      query B { system { users { organisation { name } } } }
    `;
    const errors = check(doc);
    expect(codes(errors)).toEqual([ErrorCode.QUERY_TOO_DEEP]);
    expect(errors[0]!.nodes?.[0]).toMatchObject({ kind: 'OperationDefinition', name: { value: 'B' } });
  });

  it('applies to mutations too', () => {
    expect(check('mutation { rename(name: "x") { slug } }')).toEqual([]);
    expect(codes(check('mutation { rename(name: "x") { users { organisation { name } } } }'))).toEqual([ErrorCode.QUERY_TOO_DEEP]);
  });

  it('a cyclic fragment is reported by graphql-js itself and does not hang the rule', () => {
    const query = `
      query { users { ...A } }
      fragment A on User { groups { members { ...B } } }
      fragment B on User { ...A }
    `;
    const errors = check(query, { maxDepth: 100, maxFields: 1000 });
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.some((e) => /cannot spread fragment/i.test(e.message))).toBe(true);
  });

  it('an unknown fragment is reported by graphql-js and ignored by the rule', () => {
    const errors = check('{ users { ...Missing } }');
    expect(errors.map((e) => e.message).join('\n')).toMatch(/Unknown fragment/);
    expect(codes(errors)).not.toContain(ErrorCode.QUERY_TOO_COMPLEX);
    expect(codes(errors)).not.toContain(ErrorCode.QUERY_TOO_DEEP);
  });

  it('uses QUERY_LIMITS by default', () => {
    expect(QUERY_LIMITS.maxDepth).toBe(12);
    expect(QUERY_LIMITS.maxFields).toBe(1500);
    const rule = queryLimitsRule();
    // depth 4 and 11 fields are fine under the defaults
    expect(validate(schema, parse('{ system { users { organisation { id name users { id name email phone } } } } version }'), [...specifiedRules, rule])).toEqual([]);
    // 1501 aliased fields are not
    const many = Array.from({ length: 1501 }, (_, i) => `f${i}: version`).join(' ');
    const errors = validate(schema, parse(`{ ${many} }`), [...specifiedRules, rule]);
    expect(codes(errors)).toContain(ErrorCode.QUERY_TOO_COMPLEX);
  });

  it('a deeply nested query beyond the default depth is QUERY_TOO_DEEP under the defaults', () => {
    let selection = 'name';
    for (let i = 0; i < 6; i++) selection = `organisation { users { ${selection} } }`;
    const query = `{ user(id: "1") { ${selection} } }`; // 1 + 12 + 1 = 14 levels
    const errors = validate(schema, parse(query), [...specifiedRules, queryLimitsRule()]);
    expect(codes(errors)).toEqual([ErrorCode.QUERY_TOO_DEEP]);
  });
});

describe('queryTooLongMessage', () => {
  it('names the length and the maximum', () => {
    const message = queryTooLongMessage(60_000);
    expect(message).toContain('60000');
    expect(message).toContain(String(QUERY_LIMITS.maxQueryLength));
  });
});
