/** `isctl graph`: print the registry → ImageStream tag → trigger → workload graph of the folder. */
import type { CommandModule } from '../command.js';
import { globalOptions, type Program } from '../globals.js';
import type { CliIO } from '../io.js';
import type { ExitCode } from '../errors.js';
import { CommandError } from '../../domain/errors.js';
import { buildCoreContext } from '../context.js';
import { flowGraph } from '../../core/graph.js';
import { renderDot, renderMermaid } from '../../output/graph.js';
import { toJson } from '../../output/serialize.js';

const examples = `
Examples:
  # Draw how images flow into the workloads of the current namespace (Mermaid, for Markdown)
  isctl graph

  # Put the picture into a pull request description or a README
  printf '\`\`\`mermaid\\n%s\\n\`\`\`\\n' "$(isctl graph)" >> flow.md

  # Every namespace, as an SVG through Graphviz
  isctl graph -A -o dot | dot -Tsvg > flow.svg
`;

async function action(cmd: Cmd, io: CliIO): Promise<ExitCode> {
  const g = globalOptions(cmd, io);
  const format = g.output ?? 'mermaid';
  if (!['mermaid', 'dot', 'json'].includes(format)) {
    throw new CommandError(
      `unable to match a printer suitable for the output format "${format}", allowed formats are: mermaid, dot, json`,
    );
  }
  // A file that did not parse was told when the folder was read (src/cli/state-report.ts); the run exits 1.
  const { graph } = await flowGraph(buildCoreContext(g, io, { namespaceCheck: 'unless-all-namespaces' }), {
    allNamespaces: g.allNamespaces,
  });
  if (format === 'json') io.stdout.write(toJson(graph));
  else io.stdout.write(format === 'dot' ? renderDot(graph) : renderMermaid(graph));
  return 0;
}

function define(program: Program) {
  return program
    .command('graph')
    .summary('Draw the registry → image stream tag → trigger → workload graph (Mermaid or DOT)')
    .description(
      'Draw how images flow through the state folder: the registry repositories each image stream tag imports from, ' +
        'the tags that track other tags, and the DeploymentConfigs, annotated Deployments/StatefulSets/DaemonSets/CronJobs ' +
        'and BuildConfigs whose ImageChange triggers watch them.\n\n' +
        'Tags whose last import failed (ImportSuccess=False) are drawn red and dashed with "import failed"; paused or ' +
        'manual (automatic: false) triggers and reference tags are drawn as dotted grey arrows; tags a trigger names ' +
        'that no stream in the folder defines are marked "not in the folder".\n\n' +
        'Output: -o mermaid (default; renders in GitHub and GitLab Markdown), -o dot (Graphviz), -o json (nodes and edges).',
    )
    .addHelpText('after', examples);
}

type Cmd = ReturnType<typeof define>;

/** Registers `graph`. */
export const graphCommand: CommandModule = {
  register(program, { io, action: exits }) {
    define(program).action(exits((_opts, cmd) => action(cmd, io)));
  },
};
