import { describe, expect, it } from 'vitest';
import { loadSchema } from '../schema-files.js';
import { USER_PROPERTY_MAX_LENGTH, USER_PROPERTY_TYPES } from '../sim/user-properties.js';
import {
  clearingValue,
  FIELD_CATALOG,
  MANAGED_FIELDS,
  pickSignatureFlags,
  SIGNATURE_FLAGS,
} from './field-catalog.js';

type Node = Record<string, unknown>;

function at(node: unknown, ...path: string[]): Node {
  let current = node;
  for (const key of path) current = (current as Node)[key];
  return current as Node;
}

const keysOf = (node: Node) => Object.keys(node).sort();
const fields = [...MANAGED_FIELDS].sort();
const flags = SIGNATURE_FLAGS.map((f) => f.key).sort();

describe('the field catalog', () => {
  it('lists exactly the fields the settings and overrides schemas accept', () => {
    expect(keysOf(at(loadSchema('settings.schema.json'), 'properties', 'fields', 'properties'))).toEqual(
      fields,
    );
    expect(keysOf(at(loadSchema('overrides.schema.json'), '$defs', 'fields', 'properties'))).toEqual(fields);
  });

  it('lists exactly the signature flags of the settings and plan schemas', () => {
    const settings = at(loadSchema('settings.schema.json'), 'properties', 'signatures', 'properties');
    expect(Object.keys(settings).filter((k) => flags.includes(k as never))).toHaveLength(flags.length);
    const plan = loadSchema('plan.schema.json');
    const found: string[][] = [];
    JSON.stringify(plan, (key, value: unknown) => {
      if (key === 'flags') found.push(keysOf(at(value, 'properties')));
      return value;
    });
    expect(found.length).toBeGreaterThan(0);
    for (const f of found) expect(f).toEqual(flags);
  });

  it("agrees with the simulator's own table of user properties (types and maximum lengths)", () => {
    for (const field of MANAGED_FIELDS) {
      const spec = FIELD_CATALOG[field];
      const simulated = spec.graph as keyof typeof USER_PROPERTY_TYPES;
      expect(USER_PROPERTY_TYPES[simulated], field).toBe(spec.type);
      expect(USER_PROPERTY_MAX_LENGTH[simulated], field).toBe(
        'maxLength' in spec ? spec.maxLength : undefined,
      );
    }
  });

  it('clears strings with null, the phone list with [], and never displayName', () => {
    expect(clearingValue('jobTitle')).toBeNull();
    expect(clearingValue('businessPhones')).toEqual([]);
    expect(clearingValue('displayName')).toBeUndefined();
    for (const field of MANAGED_FIELDS) {
      const spec = FIELD_CATALOG[field];
      expect(spec.clearing === 'empty-list', field).toBe(spec.type === 'string[]');
    }
  });

  it('picks the flags and nothing else', () => {
    const all = { autoAddSignature: true, autoAddSignatureOnReply: false, autoAddSignatureOnMobile: true };
    expect(pickSignatureFlags({ ...all, useDefaultSignatureOnMobile: false, html: 'x' } as never)).toEqual({
      ...all,
      useDefaultSignatureOnMobile: false,
    });
  });
});
