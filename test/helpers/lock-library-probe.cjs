// Preloaded (NODE_OPTIONS=--require) into a gcmpush child process: on exit it says on stderr
// whether the lock library was loaded. proper-lockfile brings graceful-fs, which marks the global
// object when it loads, and nothing else that gcmpush bundles uses graceful-fs.
process.on('exit', () => {
  const loaded = Symbol.for('graceful-fs.queue') in globalThis;
  process.stderr.write(`lock library loaded: ${loaded}\n`);
});
