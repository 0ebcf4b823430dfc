/**
 * The one error → message/exit-code mapping. kubectl's checkErr (k8s.io/kubectl
 * pkg/cmd/util/helpers.go) exits DefaultErrorExitCode = 1 for every error; UsageErrorf adds
 * "See 'CMD -h' for help and examples"; plain errors from Complete/Validate get `error: ` only
 * (openshift/oc pkg/cli/tag/tag.go Validate, pkg/cli/importimage/importimage.go Validate).
 */
import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { diffExitCode, renderError } from '../../src/cli/errors.js';
import { runCli, tempDir } from '../helpers/index.js';
import {
  CommandError,
  NotFoundError,
  InvalidReferenceError,
  RegistryError,
  ServerError,
  UsageError,
  ValidationError,
} from '../../src/domain/errors.js';

describe('renderError', () => {
  const cases: [string, unknown, string, number][] = [
    [
      'usage (cmdutil.UsageErrorf)',
      new UsageError('you must specify a source and at least one destination or one or more tags to delete'),
      "error: you must specify a source and at least one destination or one or more tags to delete\nSee 'isctl tag -h' for help and examples\n",
      1,
    ],
    [
      'Validate error (tag.go: errors.New)',
      new CommandError('at least a destination is required'),
      'error: at least a destination is required\n',
      1,
    ],
    [
      'not found',
      new NotFoundError('imagestreams.image.openshift.io', 'x'),
      'Error from server (NotFound): imagestreams.image.openshift.io "x" not found\n',
      1,
    ],
    [
      'already exists',
      new ServerError('AlreadyExists', 'imagestreams.image.openshift.io "a" already exists'),
      'Error from server (AlreadyExists): imagestreams.image.openshift.io "a" already exists\n',
      1,
    ],
    [
      'bad request',
      new ServerError('BadRequest', 'ImageStreamTags must be retrieved with <name>:<tag>'),
      'Error from server (BadRequest): ImageStreamTags must be retrieved with <name>:<tag>\n',
      1,
    ],
    [
      'invalid reference',
      new InvalidReferenceError('a::b', 'invalid pull spec "a::b": invalid reference format'),
      'error: invalid pull spec "a::b": invalid reference format\n',
      1,
    ],
    [
      'invalid',
      new ValidationError('ImageStream', 'a', [{ field: 'spec.tags[0].name', message: 'Required value' }]),
      'The ImageStream "a" is invalid: spec.tags[0].name: Required value\n',
      1,
    ],
    [
      'registry with hint',
      new RegistryError('x509: certificate signed by unknown authority', {
        hint: 'use --insecure only if you trust this registry',
      }),
      'error: x509: certificate signed by unknown authority\nhint: use --insecure only if you trust this registry\n',
      1,
    ],
    ['plain error', new Error('boom'), 'error: boom\n', 1],
    // kubectl pkg/util/templates/templater.go FlagErrorFunc: "%s\nSee '%s --help' for usage."
    [
      'unknown flag',
      new CommanderError(1, 'commander.unknownOption', "error: unknown option '--frob'"),
      "error: unknown option '--frob'\nSee 'isctl tag --help' for usage.\n",
      1,
    ],
    // cobra legacyArgs: the unknown command is reported on its own.
    [
      'unknown command',
      new CommanderError(1, 'commander.unknownCommand', "error: unknown command 'frob'"),
      "error: unknown command 'frob'\n",
      1,
    ],
    ['help', new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)'), '', 0],
  ];
  it.each(cases)('%s', (_name, err, text, code) => {
    expect(renderError(err, 'isctl tag')).toEqual({ text, exitCode: code });
  });
  it('a mode where 1 means "changed" exits 2 on an error (kubectl CheckDiffErr: code + 1)', () => {
    expect(diffExitCode(renderError(new Error('disk full')))).toBe(2);
  });
  it('control characters in a message are shown escaped', () => {
    expect(renderError(new CommandError('bad \u001b[31mname')).text).toBe('error: bad \\x1b[31mname\n');
  });
});

describe('oc prints Complete/Validate errors as `error: …` and exits 1, without the -h hint', () => {
  const D = 'sha256:0123456789012345678901234567890123456789012345678901234567890123';
  // openshift/oc pkg/cli/importimage/importimage.go parseImageReference and Validate;
  // pkg/cli/tag/tag.go Complete and Validate: all fmt.Errorf / errors.New, none UsageErrorf.
  it.each([
    [['import-image', 's', '--import-mode=Bogus'], 'valid ImportMode values are Legacy or PreserveOriginal'],
    [['import-image', 's:1', '--all'], 'cannot specify a tag "s:1" as well as --all'],
    [['import-image', `s@${D}`], "to import images by ID, use the 'tag' command"],
    [
      ['import-image'],
      'the image name must be a valid container image pull spec or reference to an image stream (e.g. myregistry/myteam/image:tag)',
    ],
    [['import-image', 's', '--reference-policy=bogus'], 'valid reference policy values are source or local'],
    [
      // Sources that Complete does not look up (an istag source is fetched first: NotFound in an empty folder).
      ['tag', 'quay.io/a/b:1', 'b:-bad'],
      `invalid tag "-bad" format, tags must start with an alphanumeric character followed by ` +
        `alphanumeric, '.' or '-' characters, and have a maximum of 128 characters`,
    ],
    [['tag', '--alias', 'a:1', 'b:1'], 'cannot set alias across different Image Streams'],
    [['tag', '--alias', 'a:1', 'other/a:2'], 'cannot set alias across different Image Streams'],
    [['tag', '--import-mode=Bogus', 'quay.io/a/b:1', 's:1'], 'valid ImportMode values are Legacy or PreserveOriginal'],
    [['tag', 'quay.io/a/b:1'], 'at least a destination is required'],
    [['tag', '--scheduled', `a@${D}`, 'b:1'], 'only container images can have importing flags set'],
    [['tag', '--source=istag', 'a', 'b:1'], '--source=ImageStreamTag requires a valid <name>:<tag> in SOURCE'],
    [['tag', 'a::b', 'c:1'], 'invalid SOURCE: invalid reference format'],
    [['tag', 'quay.io/a/b:1', 'c'], '"c" must be of the form <stream_name>:<tag>'],
    [['tag', '-d', '--scheduled', 's:1'], 'cannot set flags for importing images when deleting a tag'],
    [['tag', '-d', '--source=docker', 's:1'], 'cannot specify a source kind when deleting'],
  ])('%j', async (argv, message) => {
    const r = await runCli(['--dir', tempDir('errors'), ...argv]);
    expect(r).toEqual({ code: 1, stdout: '', stderr: `error: ${message}\n` });
  });

  it('what oc reports with cmdutil.UsageErrorf keeps its hint line, and exits 1 (tag.go Complete)', async () => {
    const r = await runCli(['--dir', tempDir('errors'), 'tag']);
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'error: you must specify a source and at least one destination or one or more tags to delete\n' +
        "See 'isctl tag -h' for help and examples\n",
    });
  });

  it("a flag cobra cannot parse is followed by the templater's --help line (templater.go FlagErrorFunc)", async () => {
    const r = await runCli(['--dir', tempDir('errors'), 'tag', '--frob', 'a:1', 'b:1']);
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr: "error: unknown option '--frob'\nSee 'isctl tag --help' for usage.\n",
    });
  });
});

describe('arguments and flags as cobra and pflag read them', () => {
  it('a boolean flag takes =true/=false as strconv.ParseBool reads them (pflag boolValue.Set)', async () => {
    const dir = tempDir('errors');
    const r = await runCli([
      '--dir',
      dir,
      'tag',
      '--scheduled=true',
      '--insecure=1',
      '127.0.0.1:1/team/app:1',
      'app:1',
    ]);
    expect(r.stdout.split('\n')[0]).toBe('Tag app:1 set to import 127.0.0.1:1/team/app:1 periodically.');
    expect(r.code).toBe(0);
    // --confirm=false is no --confirm (importimage.go createImageImport).
    const off = await runCli(['--dir', dir, 'import-image', 'new', '--confirm=false']);
    expect(off).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: no image stream named "new" exists, pass --confirm to create and import\n',
    });
    // A value ParseBool refuses is a flag error, with the templater's --help line.
    const bad = await runCli(['--dir', dir, 'tag', '--scheduled=maybe', 'a:1', 'b:1']);
    expect(bad).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'error: invalid argument "maybe" for "--scheduled" flag: strconv.ParseBool: parsing "maybe": invalid syntax\n' +
        "See 'isctl tag --help' for usage.\n",
    });
  });

  it('import-image reads its first argument and ignores the rest (no cobra Args check; Complete uses args[0])', async () => {
    const r = await runCli(['--dir', tempDir('errors'), 'import-image', 'new', 'extra']);
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: no image stream named "new" exists, pass --confirm to create and import\n',
    });
  });

  it.each([
    [[], 0],
    [['a', 'b'], 2],
  ])(
    'create imagestream %j: NameFromCommandArgs (pkg/cli/create/create.go) wants exactly one NAME',
    async (names, n) => {
      const r = await runCli(['--dir', tempDir('errors'), 'create', 'imagestream', ...names]);
      expect(r).toEqual({
        code: 1,
        stdout: '',
        stderr: `error: exactly one NAME is required, got ${n}\nSee 'isctl create imagestream -h' for help and examples\n`,
      });
    },
  );
});

describe('get and describe without a resource type (kubectl get.go / describe.go Complete)', () => {
  it('get: a line on stderr, then the usage error "Required resource not specified." with the explain and -h lines', async () => {
    const r = await runCli(['--dir', tempDir('errors'), 'get']);
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'You must specify the type of resource to get. isctl knows is (imagestreams), istag (imagestreamtags) ' +
        'and isimage (imagestreamimages).\n\n' +
        'error: Required resource not specified.\n' +
        'Use "isctl explain <resource>" for a detailed description of that resource (e.g. isctl explain is).\n' +
        "See 'isctl get -h' for help and examples\n",
    });
  });
  it("delete: the resource builder's missingResourceError (cli-runtime builder.go), with the forms isctl takes", async () => {
    const r = await runCli(['--dir', tempDir('errors'), 'delete']);
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'error: You must provide one or more resources by argument or filename.\n' +
        "Example resource specifications include:\n   '<resource> <name>'\n   '<resource> --all'\n",
    });
  });
  it('describe: one plain error, no -h line', async () => {
    const r = await runCli(['--dir', tempDir('errors'), 'describe']);
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'error: You must specify the type of resource to describe. isctl knows is (imagestreams), ' +
        'istag (imagestreamtags) and isimage (imagestreamimages).\n',
    });
  });
});
