/**
 * Renders the configuration reference in docs/configuration.md from a JSON Schema, so the two cannot drift
 * apart (a test compares them).
 */

interface SchemaNode {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  description?: string;
  default?: unknown;
  title?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  additionalProperties?: boolean | SchemaNode;
  required?: string[];
}

/** One documented key: its dotted path (`employees[].email`), type, default and meaning. */
export interface ReferenceRow {
  key: string;
  type: string;
  default: string;
  description: string;
}

export function referenceRows(schema: object): ReferenceRow[] {
  const root = schema as SchemaNode & { $defs?: Record<string, SchemaNode> };
  const resolve = (node: SchemaNode): SchemaNode => {
    if (!node.$ref) return node;
    const target = root.$defs?.[node.$ref.replace('#/$defs/', '')] ?? {};
    const { $ref: _ref, ...rest } = node;
    return { ...resolve(target), ...rest };
  };
  const rows: ReferenceRow[] = [];
  const walk = (node: SchemaNode, prefix: string, required: string[]): void => {
    const entries = Object.entries(node.properties ?? {});
    const refs = new Set(entries.map(([, raw]) => raw.$ref));
    // A map whose keys all share one shape (the managed fields) is documented once, as `<field>`.
    if (entries.length > 2 && refs.size === 1 && !refs.has(undefined)) {
      const shared = resolve({ $ref: entries[0]?.[1].$ref ?? '' });
      const key = `${prefix}<field>`;
      const names = entries.map(([name]) => name).join(', ');
      rows.push({
        key,
        type: typeOf(shared),
        default: 'unset',
        description: `${shared.description ?? ''} <field> is one of ${names}.`.trim(),
      });
      if (shared.properties) walk(shared, `${key}.`, shared.required ?? []);
      return;
    }
    for (const [name, raw] of entries) {
      if (name === '$schema') continue;
      const child = resolve(raw);
      const key = `${prefix}${name}`;
      rows.push({
        key,
        type: typeOf(child),
        default: required.includes(name) ? 'required' : describeDefault(child),
        description: child.description ?? '',
      });
      if (child.properties) walk(child, `${key}.`, child.required ?? []);
      const items = child.items ? resolve(child.items) : undefined;
      if (items?.properties) walk(items, `${key}[].`, items.required ?? []);
    }
  };
  walk(resolve(root), '', root.required ?? []);
  return rows;
}

export function renderReference(schema: object): string {
  // Table cells are Markdown: a bare <column> would vanish as an HTML tag and *.suffix start emphasis.
  const escape = (text: string) =>
    text
      .replaceAll('|', '\\|')
      .replaceAll('\n', ' ')
      .replaceAll('<', '&lt;')
      .replaceAll('>', '&gt;')
      .replaceAll('*', '\\*');
  const lines = ['| Key | Type | Default | Meaning |', '| --- | --- | --- | --- |'];
  for (const row of referenceRows(schema)) {
    const value = row.default.startsWith('`') ? row.default : escape(row.default);
    lines.push(`| \`${row.key}\` | ${escape(row.type)} | ${value} | ${escape(row.description)} |`);
  }
  return lines.join('\n');
}

function typeOf(node: SchemaNode): string {
  if (node.enum) return node.enum.map((v) => `\`${String(v)}\``).join(', ');
  const types = Array.isArray(node.type) ? node.type : node.type ? [node.type] : [];
  const names = types.map((t) => {
    if (t === 'object') return 'map';
    if (t === 'array') return node.items?.type === 'string' || node.items?.$ref ? 'list of strings' : 'list';
    if (t === 'string' && node.title?.startsWith('a duration')) return 'duration';
    return t;
  });
  return names.join(' or ');
}

function describeDefault(node: SchemaNode): string {
  if (node.default === undefined) return 'unset';
  if (node.properties && JSON.stringify(node.default) === '{}') return '';
  const text =
    typeof node.default === 'string' && node.default !== '' ? node.default : JSON.stringify(node.default);
  if (text.length > 60) return 'see below';
  return `\`${text}\``;
}
