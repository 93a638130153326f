// Preloaded (`node --import`) before a function bundle: once the bundle is loaded, prints as JSON
// the `name` that instances of each Error class the bundle defines really carry. A minified bundle
// renames its classes, so the names must come from the classes themselves (each writes its own out).
// The classes are found through the inspector (`Runtime.queryObjects`: every object whose prototype
// chain holds Error.prototype, of which the classes' prototypes), and each is instantiated with
// placeholder arguments; a class whose constructor cannot take them is left out.
import { Session } from "node:inspector/promises";

process.once("beforeExit", async () => {
  const session = new Session();
  session.connect();
  const errorPrototype = await session.post("Runtime.evaluate", { expression: "Error.prototype" });
  const found = await session.post("Runtime.queryObjects", {
    prototypeObjectId: errorPrototype.result.objectId,
  });
  const names = await session.post("Runtime.callFunctionOn", {
    objectId: found.objects.objectId,
    functionDeclaration: `function () {
      const names = new Set();
      for (const candidate of this) {
        if (!Object.hasOwn(candidate, "constructor")) continue;
        const errorClass = candidate.constructor;
        if (typeof errorClass !== "function" || errorClass.prototype !== candidate) continue;
        if (candidate === Error.prototype || Object.getPrototypeOf(candidate) === Object.prototype) continue;
        try {
          const instance = new errorClass("probe", "probe", "probe", "probe");
          if (typeof instance.name === "string") names.add(instance.name);
        } catch {
          // Abstract, or a constructor that needs real arguments: not a name a task can throw as is.
        }
      }
      return [...names].sort();
    }`,
    returnByValue: true,
  });
  session.disconnect();
  process.stdout.write(JSON.stringify(names.result.value));
});
