/** Prometheus text exposition format, version 0.0.4: families of samples, written once. */

export type MetricType = 'gauge' | 'counter' | 'info';

export type Labels = Record<string, string>;

interface Family {
  name: string;
  type: MetricType;
  help: string;
  lines: string[];
}

/** Escapes a label value: backslash, double quote and newline. */
export function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function formatLabels(labels: Labels): string {
  const parts: string[] = [];
  for (const key in labels) parts.push(`${key}="${escapeLabel(labels[key] ?? '')}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

/**
 * Collects samples by family, in the order families are first declared, and renders them with
 * one HELP and TYPE line each (the format requires a family's samples to be contiguous).
 * `info` families are gauges whose value is 1 and whose labels carry the facts.
 */
export class Exposition {
  private readonly families = new Map<string, Family>();

  /** Declares a family; samples for an undeclared family are a programming error. */
  declare(name: string, type: MetricType, help: string): this {
    if (!this.families.has(name)) this.families.set(name, { name, type, help, lines: [] });
    return this;
  }

  /** Adds one sample; a null value (not reported) is left out rather than written as 0. */
  add(name: string, labels: Labels, value: number | boolean | null): void {
    if (value === null) return;
    const family = this.families.get(name);
    if (!family) throw new Error(`metric ${name} was not declared`);
    const number = typeof value === 'boolean' ? (value ? 1 : 0) : value;
    family.lines.push(`${name}${formatLabels(labels)} ${formatValue(number)}`);
  }

  render(): string {
    const out: string[] = [];
    for (const family of this.families.values()) {
      if (family.lines.length === 0) continue;
      out.push(`# HELP ${family.name} ${family.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`);
      out.push(`# TYPE ${family.name} ${family.type === 'info' ? 'gauge' : family.type}`);
      for (const line of family.lines) out.push(line);
    }
    return out.length === 0 ? '' : `${out.join('\n')}\n`;
  }
}
