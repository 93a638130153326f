/**
 * Just enough MIME reading to list a raw message like a sent one: decoded headers (RFC 2047 words),
 * and the first text/plain and text/html bodies (base64 or quoted-printable, any charset Node's
 * TextDecoder knows, ISO-2022-JP included). Attachments are ignored.
 */

export interface ParsedMessage {
  headers: Map<string, string>;
  text: string | null;
  html: string | null;
}

interface Part {
  headers: Map<string, string>;
  /** The body as a binary string (one char per byte). */
  body: string;
}

function decodeBytes(bytes: Buffer, charset: string | undefined): string {
  try {
    return new TextDecoder(charset ?? "utf-8").decode(bytes);
  } catch {
    return bytes.toString("utf8");
  }
}

function decodeQuotedPrintable(binary: string): Buffer {
  const joined = binary.replace(/=\r?\n/g, "");
  const bytes: number[] = [];
  for (let index = 0; index < joined.length; index += 1) {
    const hex = joined.slice(index + 1, index + 3);
    if (joined[index] === "=" && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      index += 2;
    } else {
      bytes.push(joined.charCodeAt(index) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

/** `=?UTF-8?B?...?=` and `=?ISO-2022-JP?Q?...?=` words; adjacent words join without the space. */
export function decodeHeaderValue(binary: string): string {
  // Encoded words are ASCII, so raw UTF-8 around them can be decoded first.
  const value = Buffer.from(binary, "latin1")
    .toString("utf8")
    .replace(/(\?=)\s+(=\?)/g, "$1$2");
  return value.replace(
    /=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g,
    (_word, charset: string, encoding: string, text: string) => {
      const bytes =
        encoding.toUpperCase() === "B"
          ? Buffer.from(text, "base64")
          : decodeQuotedPrintable(text.replace(/_/g, " "));
      return decodeBytes(bytes, charset);
    },
  );
}

function splitHeaders(binary: string): Part {
  const match = /\r?\n\r?\n/.exec(binary);
  const head = match ? binary.slice(0, match.index) : binary;
  const body = match ? binary.slice(match.index + match[0].length) : "";
  const headers = new Map<string, string>();
  // Folded lines continue the previous header.
  for (const line of head.replace(/\r?\n[ \t]+/g, " ").split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function contentType(part: Part): { type: string; params: Map<string, string> } {
  const [type = "text/plain", ...rest] = (part.headers.get("content-type") ?? "text/plain").split(";");
  const params = new Map<string, string>();
  for (const param of rest) {
    const equals = param.indexOf("=");
    if (equals < 0) continue;
    params.set(
      param.slice(0, equals).trim().toLowerCase(),
      param
        .slice(equals + 1)
        .trim()
        .replace(/^"(.*)"$/, "$1"),
    );
  }
  return { type: type.trim().toLowerCase(), params };
}

function bodyText(part: Part, charset: string | undefined): string {
  const encoding = (part.headers.get("content-transfer-encoding") ?? "7bit").toLowerCase();
  const bytes =
    encoding === "base64"
      ? Buffer.from(part.body.replace(/\s+/g, ""), "base64")
      : encoding === "quoted-printable"
        ? decodeQuotedPrintable(part.body)
        : Buffer.from(part.body, "latin1");
  return decodeBytes(bytes, charset);
}

function collectBodies(part: Part, found: { text: string | null; html: string | null }): void {
  const { type, params } = contentType(part);
  if (type.startsWith("multipart/")) {
    const boundary = params.get("boundary");
    if (!boundary) return;
    const sections = part.body.split(
      new RegExp(`\\r?\\n?--${boundary.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`),
    );
    // Drop the preamble and everything after the closing delimiter.
    for (const section of sections.slice(1)) {
      if (section.startsWith("--")) break;
      collectBodies(splitHeaders(section.replace(/^[ \t]*\r?\n/, "")), found);
    }
    return;
  }
  if ((part.headers.get("content-disposition") ?? "").toLowerCase().startsWith("attachment")) return;
  if (type === "text/plain" && found.text === null) found.text = bodyText(part, params.get("charset"));
  if (type === "text/html" && found.html === null) found.html = bodyText(part, params.get("charset"));
}

export function parseRawMessage(bytes: Buffer): ParsedMessage {
  const root = splitHeaders(bytes.toString("latin1"));
  const found: { text: string | null; html: string | null } = { text: null, html: null };
  collectBodies(root, found);
  const headers = new Map([...root.headers].map(([name, value]) => [name, decodeHeaderValue(value)]));
  return { headers, ...found };
}

/** Splits an address list header on commas outside quotes and angle brackets. */
export function splitAddressList(value: string | undefined): string[] {
  if (!value) return [];
  const addresses: string[] = [];
  let current = "";
  let quoted = false;
  let angle = false;
  for (const char of value) {
    if (char === '"') quoted = !quoted;
    if (!quoted && char === "<") angle = true;
    if (!quoted && char === ">") angle = false;
    if (char === "," && !quoted && !angle) {
      if (current.trim()) addresses.push(current.trim());
      current = "";
      continue;
    }
    current += char;
  }
  if (current.trim()) addresses.push(current.trim());
  return addresses;
}

/** The bare mailbox of `"Name" <a@example.com>` or `a@example.com`, lower-cased for comparison. */
export function mailboxOf(address: string): string {
  const angle = /<([^>]+)>/.exec(address);
  return (angle?.[1] ?? address).trim().toLowerCase();
}
