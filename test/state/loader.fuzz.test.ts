/**
 * Hostile input to the state-file loader (src/state/parse.ts parseStateFile): random bytes, random
 * YAML with anchors, aliases, merge keys, tags and directives, Kubernetes-looking objects with
 * fields of the wrong type, deep nesting and huge scalars. The loader must never throw: a bad
 * file becomes a StateFileError problem naming the file (the store then never rewrites it).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseAllDocuments, stringify } from 'yaml';
import { parseStateFile } from '../../src/state/parse.js';
import { fastParseYaml } from '../../src/state/fastyaml.js';
import { StateFileError } from '../../src/domain/errors.js';
import { fcParams, propertyTimeout, timed, FUZZ_RUNS } from '../helpers/fuzz.js';

const scalar = fc.oneof(
  fc.constantFrom(
    '~',
    'null',
    'true',
    'no',
    'yes',
    '0x1F',
    '0o17',
    '.inf',
    '-.nan',
    '1e999',
    '12:30:00',
    '2001-12-14t21:59:43.10-05:00',
    '""',
    "''",
    '!!binary aGVsbG8=',
    '!!int "x"',
    '!!float abc',
    '!!timestamp x',
    '!!map x',
    '!!seq x',
    '!custom x',
    '|',
    '>-',
    '"\\u0000"',
    '"\\xff"',
  ),
  fc.string({ maxLength: 12 }),
  fc.integer().map(String),
  fc.double().map(String),
);
const key = fc.oneof(
  fc.constantFrom(
    'apiVersion',
    'kind',
    'metadata',
    'name',
    'namespace',
    'spec',
    'status',
    'tags',
    'items',
    'from',
    'annotations',
    '<<',
    '? ',
    '"a:b"',
    '[a, b]',
    '{x: 1}',
  ),
  fc.string({ maxLength: 8 }),
);
const anchorName = fc.constantFrom('a', 'b', 'c', 'x1');

/** One YAML line at an indentation: a key, a list item, an anchor, an alias, a merge or a marker. */
const yamlLine = fc
  .tuple(
    fc.integer({ min: 0, max: 8 }),
    fc.oneof(
      fc.tuple(key, scalar).map(([k, v]) => `${k}: ${v}`),
      fc.tuple(key, anchorName, scalar).map(([k, a, v]) => `${k}: &${a} ${v}`),
      fc.tuple(key, anchorName).map(([k, a]) => `${k}: &${a}`),
      fc.tuple(key, anchorName).map(([k, a]) => `${k}: *${a}`),
      anchorName.map((a) => `<<: *${a}`),
      scalar.map((v) => `- ${v}`),
      anchorName.map((a) => `- *${a}`),
      key.map((k) => `${k}:`),
      fc.constantFrom(
        '---',
        '...',
        '%YAML 1.2',
        '%TAG ! tag:x,2000:',
        '# comment',
        '- - - x',
        '? complex',
        ': value',
        '{a: [1, {b: *a}]}',
        '[*a, *b, *c]',
        '|+',
        '  text',
        '\t- tab',
        'apiVersion: v1',
        'kind: List',
        'kind: ImageStream',
        'items:',
      ),
    ),
  )
  .map(([indent, text]) => `${' '.repeat(indent)}${text}`);
const randomYaml = fc.array(yamlLine, { maxLength: 25 }).map((lines) => lines.join('\n'));

const jsonish = fc.jsonValue({ maxDepth: 4 });
/** An object that claims to be a Kubernetes object, every field of any type. */
const kubeLike = fc.record(
  {
    apiVersion: fc.oneof(fc.constantFrom('image.openshift.io/v1', 'v1', 'apps.openshift.io/v1', 'apps/v1'), jsonish),
    kind: fc.oneof(
      fc.constantFrom(
        'ImageStream',
        'List',
        'ImageStreamList',
        'DeploymentConfig',
        'Deployment',
        'BuildConfig',
        'CronJob',
      ),
      jsonish,
    ),
    metadata: fc.oneof(
      jsonish,
      fc.record({ name: jsonish, namespace: jsonish, annotations: jsonish, labels: jsonish }, { requiredKeys: [] }),
    ),
    spec: fc.oneof(
      jsonish,
      fc.record(
        {
          tags: fc.oneof(
            jsonish,
            fc.array(
              fc.record(
                { name: jsonish, from: jsonish, importPolicy: jsonish, referencePolicy: jsonish, annotations: jsonish },
                { requiredKeys: [] },
              ),
              { maxLength: 3 },
            ),
          ),
          lookupPolicy: jsonish,
          template: jsonish,
          triggers: jsonish,
        },
        { requiredKeys: [] },
      ),
    ),
    status: fc.oneof(
      jsonish,
      fc.record(
        {
          tags: fc.oneof(
            jsonish,
            fc.array(fc.record({ tag: jsonish, items: jsonish, conditions: jsonish }, { requiredKeys: [] }), {
              maxLength: 3,
            }),
          ),
          latestVersion: jsonish,
        },
        { requiredKeys: [] },
      ),
    ),
    items: jsonish,
  },
  { requiredKeys: ['apiVersion', 'kind'] },
);
const kubeText = fc
  .tuple(kubeLike, fc.boolean())
  .map(([o, json]) => (json ? JSON.stringify(o, null, 2) : toYamlFlow(o)));

/** YAML flow style is valid for any JSON value (JSON is YAML 1.2); mixes block lines around it. */
function toYamlFlow(o: unknown): string {
  const body = JSON.stringify(o);
  return `# generated\n--- ${body}\n`;
}

const bytes = fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b));
const anyFile = fc.oneof(
  {
    weight: 2,
    arbitrary: fc
      .tuple(bytes, fc.constantFrom('utf8', 'latin1') as fc.Arbitrary<BufferEncoding>)
      .map(([b, enc]) => b.toString(enc)),
  },
  { weight: 4, arbitrary: randomYaml },
  { weight: 3, arbitrary: kubeText },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
);
const fileName = fc.constantFrom('a.yaml', 'b.yml', 'c.json', 'dir/d.YAML', 'e.JSON');

/** The loader's contract: no throw, objects are Kubernetes objects, problems are StateFileErrors naming the file. */
function checkLoad(path: string, text: string, boundMs?: number): void {
  const { value, error } = timed(
    `parseStateFile(${path}, ${JSON.stringify(text).slice(0, 80)}…)`,
    () => parseStateFile(path, text),
    boundMs,
  );
  if (error !== undefined)
    expect.fail(
      `parseStateFile threw ${(error as Error)?.constructor?.name}: ${(error as Error)?.message} for ${JSON.stringify(text).slice(0, 300)}`,
    );
  expect(value!.path).toBe(path);
  for (const p of value!.problems) {
    expect(p).toBeInstanceOf(StateFileError);
    expect(p.message.startsWith(path)).toBe(true);
  }
  for (const o of value!.objects) {
    expect(typeof o.object.kind).toBe('string');
    expect(typeof o.object.apiVersion).toBe('string');
    expect(o.location.file).toBe(path);
  }
}

describe('state-file loader under hostile input', () => {
  it(
    'never throws on random bytes, random YAML and ill-typed objects; problems are StateFileErrors naming the file',
    () => {
      fc.assert(
        fc.property(fileName, anyFile, (path, text) => checkLoad(path, text)),
        fcParams(),
      );
    },
    propertyTimeout(FUZZ_RUNS, 3),
  );

  it(
    'refuses alias bombs ("billion laughs") with a StateFileError instead of expanding them',
    () => {
      fc.assert(
        fc.property(fc.integer({ min: 4, max: 12 }), fc.integer({ min: 4, max: 10 }), (levels, width) => {
          const lines = ['a0: &a0 [lol]'];
          for (let i = 1; i <= levels; i++)
            lines.push(
              `a${i}: &a${i} [${Array(width)
                .fill(`*a${i - 1}`)
                .join(', ')}]`,
            );
          lines.push(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\ndata: *a${levels}`);
          const text = lines.join('\n');
          checkLoad('bomb.yaml', text);
          const r = parseStateFile('bomb.yaml', text);
          // width^levels >= 256 expansions: more than MAX_ALIAS_COUNT, must be refused.
          expect(r.objects).toHaveLength(0);
          expect(r.problems[0]?.message).toMatch(/alias/);
        }),
        fcParams(Math.min(FUZZ_RUNS, 300)),
      );
    },
    propertyTimeout(300, 20),
  );

  it('handles nesting up to 20,000 levels deep without a stack overflow escaping', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('[', '{a: ', '- ', '[{a: ', 'a:\n  '),
        fc.integer({ min: 1, max: 20_000 }),
        fc.constantFrom('.yaml', '.json'),
        (open, depth, ext) => {
          const text =
            ext === '.json'
              ? `${'['.repeat(depth)}1${']'.repeat(depth)}`
              : open === '- '
                ? Array.from({ length: Math.min(depth, 2000) }, (_, i) => `${' '.repeat(i * 2)}- x`).join('\n')
                : open.repeat(depth);
          // The yaml library costs ~25 µs per nesting level (linear); 20,000 levels may take ~0.5 s on a busy box.
          checkLoad(`deep${ext}`, text, 5_000);
        },
      ),
      fcParams(Math.min(FUZZ_RUNS, 60)),
    );
  }, 120_000);

  it('loads huge scalars (up to 3 MB) without hanging', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 << 20 }),
        fc.constantFrom('"', "'", '', '|\n  '),
        fc.boolean(),
        (size, quote, json) => {
          const big = 'x'.repeat(size);
          const text = json
            ? JSON.stringify({
                apiVersion: 'image.openshift.io/v1',
                kind: 'ImageStream',
                metadata: { name: 'big', annotations: { big } },
              })
            : `apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: big\n` +
              `  annotations:\n    big: ${quote}${big}${quote === '|\n  ' ? '' : quote}\n`;
          checkLoad(json ? 'big.json' : 'big.yaml', text, 5_000);
        },
      ),
      fcParams(Math.min(FUZZ_RUNS, 20)),
    );
  }, 120_000);

  it(
    'reads exactly what the yaml library reads whenever the fast YAML path accepts a file',
    () => {
      // Block YAML as tools write it (yaml.stringify of ill-typed Kubernetes objects), plus the random
      // line soup above: the fast path must either decline or agree with the general parser.
      const blockYaml = fc
        .tuple(fc.array(kubeLike, { minLength: 1, maxLength: 3 }), fc.constantFrom(0, 2, 4))
        .map(([objs, indentSeq]) => objs.map((o) => stringify(o, { indentSeq: indentSeq === 2 })).join('---\n'));
      // Tame values (what real manifests hold) so the fast path accepts a good share of the files.
      const tameScalar = fc.oneof(
        fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9.:/_@ -]{0,24}$/),
        fc.integer({ min: -1e6, max: 1e6 }),
        fc.boolean(),
        fc.constant(null),
        fc.constantFrom(
          '',
          '1.0',
          '0.10',
          'yes',
          'null',
          '~',
          '-',
          '#x',
          'a: b',
          'sha256:abc',
          '007',
          '1e3',
          '0x10',
          '.5',
          '+1',
        ),
      );
      const { tame } = fc.letrec((tie) => ({
        tame: fc.oneof(
          { depthSize: 'small', withCrossShrink: true },
          tameScalar,
          fc.array(tie('tame'), { maxLength: 3 }),
          fc.dictionary(fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9._/-]{0,12}$/), tie('tame'), { maxKeys: 4 }),
        ),
      }));
      const tameDocs = fc.array(
        fc.record(
          {
            apiVersion: fc.constant('image.openshift.io/v1'),
            kind: fc.constant('ImageStream'),
            metadata: fc.record({ name: fc.stringMatching(/^[a-z0-9-]{1,12}$/) }),
            spec: tame,
            status: tame,
          },
          { requiredKeys: ['apiVersion', 'kind', 'metadata'] },
        ),
        { minLength: 1, maxLength: 3 },
      );
      const tameYaml = fc
        .tuple(tameDocs, fc.boolean())
        .map(([objs, indentSeq]) => objs.map((o) => stringify(o, { indentSeq })).join('---\n'));
      let accepted = 0;
      fc.assert(
        fc.property(
          fc.oneof(
            { weight: 4, arbitrary: tameYaml },
            { weight: 2, arbitrary: blockYaml },
            { weight: 1, arbitrary: randomYaml },
          ),
          (text) => {
            const { value: fast, error } = timed('fastParseYaml', () => fastParseYaml(text));
            if (error !== undefined)
              expect.fail(`fastParseYaml threw ${(error as Error).message} for ${JSON.stringify(text).slice(0, 300)}`);
            if (fast === undefined) return;
            accepted++;
            const docs = parseAllDocuments(text);
            const slow = (Array.isArray(docs) ? docs : [docs]).map((d) => d.toJS({ maxAliasCount: 100 }));
            // A text with no document at all: [] from the library, [null] from the fast path; neither holds an object.
            if (slow.length === 0 && fast.every((d) => d === null)) return;
            expect(fast, text).toEqual(slow);
          },
        ),
        fcParams(),
      );
      // The property is only worth something if the fast path takes a good share of the cases.
      expect(accepted).toBeGreaterThan(Math.min(FUZZ_RUNS, 10_000) / 10);
    },
    propertyTimeout(FUZZ_RUNS, 3),
  );

  it(
    'keeps a well-typed ImageStream from random names and tags',
    () => {
      const name = fc.stringMatching(/^[a-z0-9]([a-z0-9.-]{0,20}[a-z0-9])?$/);
      fc.assert(
        fc.property(name, fc.array(fc.stringMatching(/^[\w][\w.-]{0,10}$/), { maxLength: 4 }), (n, tags) => {
          const text =
            `apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: "${n}"\nspec:\n` +
            `  tags:\n${tags.map((t) => `  - name: "${t}"\n    from: {kind: DockerImage, name: "r.io/x:${t}"}\n`).join('')}`;
          const r = parseStateFile('s.yaml', text);
          expect(r.problems).toEqual([]);
          expect(r.objects.map((o) => o.object.metadata?.name)).toEqual([n]);
        }),
        fcParams(Math.min(FUZZ_RUNS, 2000)),
      );
    },
    propertyTimeout(2000),
  );
});
