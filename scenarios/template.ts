/**
 * Payload templates: `{{name}}` placeholders in the scenario's `notification` strings, filled per
 * recipient from its variables (scenarios/recipients-*.ts). A template is compiled once per run into
 * literal parts and variable slots, so a notification costs a few string concatenations, never a
 * JSON.stringify of the whole payload; one without placeholders renders to the same string every time.
 *
 *   compileJsonTemplate({ aps: { alert: 'Hi {{name}}' } })  →  ['{"aps":{"alert":"Hi ', '"}}'] + [name]
 *
 * In JSON text a placeholder can only sit inside a string (`{` and `}` outside one are structure),
 * so a value is inserted JSON-escaped (quotes, backslashes, control characters), and the rendered
 * text is always valid JSON whatever the recipient's data holds.
 */

/** `{{name}}`, `{{ name }}`: a letter or `_` first, then letters, digits, `_`. */
const placeholder = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

export interface Template {
  /** The variables it uses, in order of first use. */
  readonly variables: readonly string[];
  /** The text for a recipient's variables (a variable it lacks renders empty: the validation pass rules that out first). */
  render(variables: Readonly<Record<string, string>> | undefined): string;
}

/** A template over plain text (an FCM title, a data value): values go in as they are. */
export function compileTextTemplate(text: string): Template {
  return compile(text, (value) => value);
}

/** A template over the JSON text of `value`: values go in JSON-escaped. */
export function compileJsonTemplate(value: unknown): Template {
  return compile(JSON.stringify(value), escapeJsonString);
}

/** The variables `{{…}}` in `text`, in order of first use. */
export function variablesIn(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(placeholder)) names.add(match[1] as string);
  return [...names];
}

/** The characters of `value` as they stand between the quotes of a JSON string. */
export function escapeJsonString(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

function compile(text: string, escape: (value: string) => string): Template {
  const parts: string[] = [];
  const slots: string[] = [];
  let last = 0;
  for (const match of text.matchAll(placeholder)) {
    parts.push(text.slice(last, match.index));
    slots.push(match[1] as string);
    last = match.index + match[0].length;
  }
  parts.push(text.slice(last));
  const variables = [...new Set(slots)];
  if (slots.length === 0) return { variables, render: () => text };
  const head = parts[0] as string;
  return {
    variables,
    render: (values) => {
      let out = head;
      for (let i = 0; i < slots.length; i++) out += escape(values?.[slots[i] as string] ?? '') + (parts[i + 1] as string);
      return out;
    },
  };
}
