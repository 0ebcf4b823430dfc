// Worker for the crash test: rewrites every stream of the folder in each update, forever.
const [storePath, dir] = process.argv.slice(2);
const { openStateStore } = await import(storePath);
const store = openStateStore(dir);
for (;;) {
  await store.update('default', (snap) => {
    for (const o of snap.list('ImageStream')) {
      const is = o.object;
      is.metadata.annotations = { round: String(Number(is.metadata.annotations?.round ?? 0) + 1) };
      is.spec.tags.push({
        name: `t${is.spec.tags.length}`,
        from: { kind: 'DockerImage', name: `quay.io/x/y:${'z'.repeat(200)}` },
      });
    }
  });
}
