import type { ConfigProblem } from '../errors/roster-error.js';
import { parseYaml, pathToPointer } from './parse-yaml.js';
import type { Position, ValuePath } from './parse-yaml.js';
import type { ManagedField, Override, Settings } from './settings.js';
import { compileSchema, validateAgainstSchema } from './validate-schema.js';

/** One input file: its path relative to the config folder (as shown in messages) and its text. */
export interface ConfigFile {
  file: string;
  text: string;
}

/** Where a template name is referenced, so an unknown name is reported at its line. */
export interface TemplateReference {
  name: string;
  file: string;
  line: number;
  column: number;
  key: string;
}

export interface LoadedOverrides {
  overrides: Override[];
  problems: ConfigProblem[];
  templateReferences: TemplateReference[];
}

interface EmployeeEntry {
  email: string;
  fields: Partial<Record<ManagedField, string | null>>;
  variables: Record<string, string>;
  template?: string;
  photoUrl?: string | null;
  exclude: boolean;
  reason: string;
}

interface OfficeEntry {
  office: string | number;
  fields: Partial<Record<ManagedField, string | null>>;
  variables: Record<string, string>;
  template?: string;
  reason: string;
}

interface OverridesFile {
  employees: EmployeeEntry[];
  offices: OfficeEntry[];
}

interface Place extends Position {
  file: string;
  key: string;
}

/**
 * Override files → `Override[]` in file order. Checks each file against
 * `schemas/overrides.schema.json`, then across files: one override per employee (email,
 * case-insensitive) and per office. With `settings`, overrides of unmanaged fields are warned about.
 */
export function loadOverrides(files: ConfigFile[], schema: object, settings?: Settings): LoadedOverrides {
  const validate = compileSchema(schema);
  const result: LoadedOverrides = { overrides: [], problems: [], templateReferences: [] };
  const firstPlace = new Map<string, Place>();
  const sorted = [...files].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));

  for (const { file, text } of sorted) {
    const parsed = parseYaml(file, text);
    result.problems.push(...parsed.problems);
    if (parsed.value === undefined) continue;
    const data = parsed.value ?? {};
    const schemaProblems = validateAgainstSchema(validate, data, parsed);
    result.problems.push(...schemaProblems);
    if (schemaProblems.length > 0) continue;
    const { employees, offices } = data as OverridesFile;

    const place = (path: ValuePath, at?: 'key'): Place => ({
      file,
      ...parsed.locate(path, at),
      key: pathToPointer(path),
    });
    const report = (path: ValuePath, message: string, severity: 'error' | 'warning' = 'error'): void => {
      result.problems.push({ ...place(path, 'key'), message, severity });
    };
    const claim = (id: string, label: string, path: ValuePath): void => {
      const here = place(path);
      const first = firstPlace.get(id);
      if (!first) {
        firstPlace.set(id, here);
        return;
      }
      result.problems.push(
        {
          ...here,
          message: `duplicate override for ${label} (first at ${first.file}:${first.line}:${first.column})`,
          severity: 'error',
        },
        {
          ...first,
          message: `${label} is overridden again at ${here.file}:${here.line}:${here.column}`,
          severity: 'error',
        },
      );
    };

    employees.forEach((entry, i) => {
      const email = entry.email.trim().toLowerCase();
      claim(`employee:${email}`, `employee '${email}'`, ['employees', i, 'email']);
      const at = parsed.locate(['employees', i]);
      if (
        entry.exclude &&
        (Object.keys(entry.fields).length > 0 || entry.template !== undefined || entry.photoUrl !== undefined)
      ) {
        report(
          ['employees', i, 'exclude'],
          'this employee is excluded: the other settings of this override are ignored',
          'warning',
        );
      }
      warnUnmanaged(entry.fields, ['employees', i], settings, report);
      if (entry.template !== undefined)
        result.templateReferences.push(reference(entry.template, place(['employees', i, 'template'])));
      result.overrides.push({
        file,
        line: at.line,
        column: at.column,
        target: { kind: 'employee', email },
        fields: entry.fields,
        variables: entry.variables,
        ...(entry.template !== undefined ? { template: entry.template } : {}),
        ...(entry.photoUrl !== undefined ? { photoUrl: entry.photoUrl } : {}),
        exclude: entry.exclude,
        ...(entry.reason ? { reason: entry.reason } : {}),
      });
    });

    offices.forEach((entry, i) => {
      const office = String(entry.office).trim();
      claim(`office:${office.toLowerCase()}`, `office '${office}'`, ['offices', i, 'office']);
      const at = parsed.locate(['offices', i]);
      warnUnmanaged(entry.fields, ['offices', i], settings, report);
      if (entry.template !== undefined)
        result.templateReferences.push(reference(entry.template, place(['offices', i, 'template'])));
      result.overrides.push({
        file,
        line: at.line,
        column: at.column,
        target: { kind: 'office', office },
        fields: entry.fields,
        variables: entry.variables,
        ...(entry.template !== undefined ? { template: entry.template } : {}),
        exclude: false,
        ...(entry.reason ? { reason: entry.reason } : {}),
      });
    });
  }
  return result;
}

function reference(name: string, place: Place): TemplateReference {
  return { name, ...place };
}

function warnUnmanaged(
  fields: Partial<Record<ManagedField, string | null>>,
  path: ValuePath,
  settings: Settings | undefined,
  report: (path: ValuePath, message: string, severity?: 'error' | 'warning') => void,
): void {
  if (!settings) return;
  for (const name of Object.keys(fields)) {
    if (!(name in settings.fields)) {
      report(
        [...path, 'fields', name],
        `field '${name}' is not managed (not listed under fields in the settings): this override has no effect`,
        'warning',
      );
    }
  }
}
