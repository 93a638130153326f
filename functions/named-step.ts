/**
 * The one step a task function runs, given as `{ step }` so that its name is written out: minified
 * bundles do not keep function names, and the task's log lines carry the step's name.
 */
export function namedStep<Step>(named: Readonly<Record<string, Step>>, wrapper: string): [string, Step] {
  const [entry, ...others] = Object.entries(named);
  if (!entry || others.length > 0)
    throw new Error(`A task runs one step, given as ${wrapper}({ step }, dependencies)`);
  return entry;
}
