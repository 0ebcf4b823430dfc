/**
 * Printing the objects a command changed, as kubectl's PrintFlags printers do for `oc set
 * image-lookup`, `oc rollout latest` and `kubectl apply -o` (cli-runtime
 * pkg/genericclioptions/print_flags.go):
 * without -o, "RESOURCE/NAME OPERATION" (with " (dry run)" on a client dry run: kubectl
 * pkg/cmd/util PrintFlagsWithDryRunStrategy); -o name, the resource name alone (NamePrinter with
 * ShortOutput); -o json and -o yaml, each whole object (cli-runtime printers/yaml.go writes "---"
 * before every object but the first); -o jsonpath=…, the template on each object.
 */
import type { KubeObject } from '../domain/types.js';
import { renderJsonPath } from './jsonpath.js';
import type { OutputFormat } from './printer.js';
import { resourceName, toJson, toYaml } from './serialize.js';

/** A printer for one command's output: keeps the count the YAML separator needs. */
export class ObjectPrinter {
  private printed = 0;
  constructor(
    private readonly format: OutputFormat,
    private readonly operation: string,
    private readonly dryRun: boolean,
  ) {}

  /** The text for one object. */
  print(obj: KubeObject): string {
    this.printed++;
    const f = this.format;
    if (f.kind === 'name') return `${resourceName(obj)}\n`;
    if (f.kind === 'json') return toJson(obj);
    if (f.kind === 'yaml') return `${this.printed > 1 ? '---\n' : ''}${toYaml(obj)}`;
    if (f.kind === 'jsonpath') return renderJsonPath(f.template, obj);
    return `${resourceName(obj)} ${this.operation}${this.dryRun ? ' (dry run)' : ''}\n`;
  }

  /** True with -o: the output is for a program, so nothing but the objects goes to stdout. */
  get machineReadable(): boolean {
    return this.format.kind !== 'table';
  }
}
