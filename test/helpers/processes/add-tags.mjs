// Worker for the concurrency test: adds tags p<ID>-0..N-1 to one ImageStream, one update() each.
const [storePath, dir, id, count] = process.argv.slice(2);
const { openStateStore } = await import(storePath);
const store = openStateStore(dir, { lockTimeoutMs: 120_000 });
for (let i = 0; i < Number(count); i++) {
  await store.update('default', (snap) => {
    const is = snap.find('ImageStream', 'default', 'shared').object;
    is.spec.tags.push({ name: `p${id}-${i}`, from: { kind: 'DockerImage', name: `quay.io/acme/app:p${id}-${i}` } });
    is.status.tags[0].items.unshift({
      created: new Date().toISOString(),
      dockerImageReference: `quay.io/acme/app:p${id}-${i}`,
      image: `sha256:${id}${i}`,
      generation: 1,
    });
  });
}
