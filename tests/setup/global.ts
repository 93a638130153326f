/** Starts shared infrastructure once per test run (DynamoDB Local arrives with the table module). */
export default async function setup(): Promise<() => Promise<void>> {
  return async () => {};
}
