import { type RunningServer, serveApp } from "../emulation/serve";
import { createSmaregiEmulator, type SmaregiEmulator, type SmaregiEmulatorOptions } from "./app";

export {
  createSmaregiEmulator,
  type SmaregiEmulator,
  type SmaregiEmulatorOptions,
  type SmaregiOperation,
  smaregiLatencyProfiles,
} from "./app";
export { SmaregiStore } from "./store";

export interface RunningSmaregiEmulator extends RunningServer, Omit<SmaregiEmulator, "app"> {}

/**
 * Serves the emulator on 127.0.0.1 (port 0 picks a free port). The token endpoint and the API share
 * the server, so a client's `authUrl` and `apiUrl` are both `url`.
 */
export async function startSmaregiEmulator(
  options: SmaregiEmulatorOptions & { port: number },
): Promise<RunningSmaregiEmulator> {
  const { port, ...emulatorOptions } = options;
  const { app, ...emulator } = createSmaregiEmulator(emulatorOptions);
  const server = await serveApp(app, port);
  return { ...emulator, url: server.url, port: server.port, close: () => server.close() };
}
