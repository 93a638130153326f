// Preloaded (`node --import`) before a function bundle: records the runtime `name` of every Error
// class the bundle defines. A minified bundle renames classes; esbuild's keepNames gives each its
// source name back with Object.defineProperty(class, "name", ...) as the class is evaluated, which
// is what this watches. Printed as JSON on exit.
const defineProperty = Object.defineProperty;
const names = new Set();
Object.defineProperty = function recordErrorClassName(target, property, descriptor) {
  const result = defineProperty(target, property, descriptor);
  if (
    property === "name" &&
    typeof target === "function" &&
    target.prototype instanceof Error &&
    typeof target.name === "string"
  ) {
    names.add(target.name);
  }
  return result;
};
process.on("exit", () => {
  process.stdout.write(JSON.stringify([...names].sort()));
});
