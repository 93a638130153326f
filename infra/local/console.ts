import type { ServerResponse } from "node:http";
import { buildConsoleFiles, type ConsoleFile } from "../../console/build";
import { consoleSecurityHeaders } from "../../console/headers";
import { localAdminIssuer } from "./admin-issuer";
import type { LocalOidcProvider } from "./admin-oidc";
import type { GatewayMount } from "./gateway";

/**
 * The staff console on the local gateway at `/admin/`: the same build CDK deploys (made in memory
 * on the first request, nothing written), the same security headers as CloudFront, and a
 * `config.json` pointing the OIDC client at the local admin issuer.
 */
export const CONSOLE_PREFIX = "/admin";

export function consoleMount(issuer: LocalOidcProvider): GatewayMount {
  // Built on the first request, so stacks that never open the console (most tests) do not pay for it.
  let files: Map<string, ConsoleFile> | undefined;
  const filesOf = () => {
    files ??= new Map(buildConsoleFiles().map((file) => [file.name, file]));
    return files;
  };
  const send = (
    response: ServerResponse,
    status: number,
    type: string,
    body: string | Uint8Array,
    cache: string,
  ) => {
    response.writeHead(status, {
      ...consoleSecurityHeaders({ identityOrigins: [] }),
      "content-type": type,
      "cache-control": cache,
    });
    response.end(body);
  };
  return {
    prefix: CONSOLE_PREFIX,
    async handle(request, response, origin) {
      const url = new URL(request.url ?? "/", origin);
      if (request.method !== "GET" && request.method !== "HEAD") {
        return send(response, 405, "text/plain", "Method Not Allowed", "no-store");
      }
      if (url.pathname === CONSOLE_PREFIX) {
        response.writeHead(301, { location: `${CONSOLE_PREFIX}/${url.search}` });
        return void response.end();
      }
      const name = url.pathname.slice(CONSOLE_PREFIX.length + 1) || "index.html";
      if (name === "config.json") {
        const config = {
          authority: issuer.authority(origin),
          clientId: localAdminIssuer.audience,
          signOutEndpoint: `${issuer.authority(origin)}/logout`,
          stepFunctionsConsole: false,
        };
        return send(response, 200, "application/json", JSON.stringify(config), "no-store");
      }
      const file = filesOf().get(name);
      if (!file) return send(response, 404, "text/plain", "Not Found", "no-store");
      // Hashed names never change; the page that names them is always re-read.
      const cache = name === "index.html" ? "no-cache" : "public, max-age=31536000, immutable";
      return send(response, 200, file.contentType, file.contents, cache);
    },
  };
}
