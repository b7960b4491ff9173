/**
 * The one redaction module (a dependency-free leaf at the bottom layer: anything may import it).
 * Entry points: `redactSecrets(text, secrets)`, `redactor(secrets)` (the same, with the secrets'
 * encoded forms computed once, for many texts), `redactTranscript(lines, { secrets })` for protocol
 * dialogues, `containsSecret` for guards and tests.
 *
 * Transcript redaction. Everything that ends up in an activity entry, an error message or a
 * result shown to the user passes through here first. The rule: the XOAUTH2 blob, bearer
 * tokens (JWT or opaque), passwords, client secrets, client assertions, refresh tokens and
 * private keys never appear; message bodies are cut to a short prefix.
 *
 * Two layers, because neither alone is enough:
 *  1. known values: the caller passes the secrets it used (access token, password, client
 *     secret…); every occurrence, also base64- or URL-encoded, is replaced. This catches opaque
 *     tokens that no pattern could recognise.
 *  2. patterns: AUTH/AUTHENTICATE arguments, "Bearer …", JWT-shaped strings, key=value and
 *     "key": "value" pairs with secret names, PEM private keys, base64 blobs that decode to an
 *     XOAUTH2 string. This catches secrets the caller did not know about (a server echoing a
 *     token, a token of another request).
 */

export const REDACTED = "[redacted]";

/** Bytes of a message body (DATA section, Graph body) kept in a transcript. */
export const DEFAULT_MAX_BODY_CHARS = 800;

type MaybeSecret = string | undefined | null;

// Names whose values are secrets in JSON, form bodies, query strings and config files.
// "code" (an authorization code) is deliberately absent from the JSON rule: Graph and OAuth
// error bodies carry `"code": "ErrorAccessDenied"`, which is the most useful line of the log.
const SECRET_KEYS = [
  "access_token",
  "refresh_token",
  "id_token",
  "client_secret",
  "client_assertion",
  "assertion",
  "password",
  "passwd",
  "code_verifier",
  "accessToken",
  "refreshToken",
  "idToken",
  "clientSecret",
  "clientAssertion",
  "private_key",
  "privateKey",
  "secret",
  "token",
  "delegated_password",
  "delegated_token",
];
const KEY_ALTERNATION = SECRET_KEYS.join("|");

const PATTERNS: { re: RegExp; to: string | ((...m: string[]) => string) }[] = [
  // nodemailer's own mask for credentials in its log.
  { re: /\/\* secret \*\//g, to: REDACTED },
  // PEM private keys (service-account JSON keeps them with literal \n, hence [\s\S]).
  { re: /-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]*?-----END \1PRIVATE KEY-----/g, to: "[redacted private key]" },
  // SMTP `AUTH <mech> <initial response>` and IMAP `<tag> AUTHENTICATE <mech> <initial response>`,
  // in command position only: the EHLO line "250-AUTH LOGIN PLAIN XOAUTH2" lists mechanisms.
  { re: /^((?:C: )?(?:[A-Za-z0-9.]+ )?AUTH(?:ENTICATE)?\s+(?:XOAUTH2|OAUTHBEARER|PLAIN|LOGIN|XOAUTH|CRAM-MD5))\s+(?!\[redacted\])\S+/gim, to: (_m, cmd) => `${cmd} ${REDACTED}` },
  // IMAP LOGIN user password
  { re: /^((?:[CS]: )?[A-Za-z0-9.]+\s+LOGIN\s+\S+)\s+\S+/gim, to: (_m, head) => `${head} ${REDACTED}` },
  // HTTP Authorization headers and the decoded XOAUTH2 string (auth=Bearer <token>).
  { re: /\b(Bearer)\s+(?!\[redacted\])[A-Za-z0-9\-._~+/]+=*/gi, to: (_m, word) => `${word} ${REDACTED}` },
  // "Basic <base64 of user:password>" — not the words of a reply such as "550 5.7.30 Basic
  // authentication is not supported": a credential has a digit, +, / or padding, or decodes to user:pass.
  { re: /\b(Basic)\s+(?!\[redacted\])([A-Za-z0-9+/]{8,}=*)/g, to: (m, word, value) => (/[0-9+/=]/.test(value) || Buffer.from(value, "base64").toString("latin1").includes(":") ? `${word} ${REDACTED}` : m) },
  // Anything JWT-shaped (access tokens, client assertions, id tokens).
  { re: /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, to: "[redacted JWT]" },
  // "key": "value" (JSON)
  { re: new RegExp(`("(?:${KEY_ALTERNATION})"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, "gi"), to: (_m, head) => `${head}"${REDACTED}"` },
  // key=value (form bodies, query strings, iMailOAuth.config lines), including code= in URLs.
  { re: new RegExp(`(^|[?&\\s;,])((?:${KEY_ALTERNATION}|code)\\s*=\\s*)(?!\\[redacted\\])[^&\\s;,"]+`, "gim"), to: (_m, pre, head) => `${pre}${head}${REDACTED}` },
  // "password: value" in free text.
  { re: /\b(password|passwd|client secret|secret)(\s*:\s+)(?!\[redacted\])\S+/gi, to: (_m, key, sep) => `${key}${sep}${REDACTED}` },
];

/** Base64 of the value, and base64 of the value as it sits inside longer text at each alignment. */
function encodedForms(secret: string): string[] {
  const forms = new Set<string>([secret]);
  const enc = encodeURIComponent(secret);
  if (enc !== secret) forms.add(enc);
  // Form encoding (what a token request body carries and an IdP may echo): !'()* and spaces too.
  const form = new URLSearchParams({ v: secret }).toString().slice(2);
  forms.add(form);
  forms.add(form.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
  forms.add(enc.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
  // Every byte percent-encoded; JSON string escaping (also with \/ and \uXXXX); HTML entities.
  forms.add([...Buffer.from(secret, "utf8")].map((b) => `%${b.toString(16).padStart(2, "0").toUpperCase()}`).join(""));
  const json = JSON.stringify(secret).slice(1, -1);
  forms.add(json);
  forms.add(json.replace(/\//g, "\\/"));
  forms.add(json.replace(/[^\x20-\x7e]|[<>&'"]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`));
  forms.add(secret.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;"));
  forms.add(Buffer.from(secret, "utf8").toString("base64url"));
  forms.add(Buffer.from(secret, "utf8").toString("base64").replace(/=+$/, ""));
  // A secret embedded in a longer base64 string (the XOAUTH2 blob) shows up in one of three
  // alignments; the middle part of each is stable regardless of the surrounding bytes.
  for (const shift of [1, 2]) {
    const b64 = Buffer.from("\0".repeat(shift) + secret, "utf8").toString("base64");
    const stable = b64.slice(4, b64.length - 4);
    if (stable.length >= 12) forms.add(stable);
  }
  const plain = Buffer.from(secret, "utf8").toString("base64");
  if (plain.length > 8) forms.add(plain.slice(0, plain.length - 4));
  return [...forms].filter((f) => f.length >= 6);
}

/** Decodes base64 runs and redacts those that carry an XOAUTH2 / OAUTHBEARER / PLAIN credential. */
function redactEncodedCredentials(text: string): string {
  return text.replace(/[A-Za-z0-9+/]{24,}={0,2}/g, (run) => {
    let decoded: string;
    try {
      decoded = Buffer.from(run, "base64").toString("utf8");
    } catch {
      return run;
    }
    if (/auth=Bearer|\x01auth=|^n,[^,]*,\x01|\0[^\0]+\0/i.test(decoded)) return REDACTED;
    return run;
  });
}

/**
 * Removes secrets from free text. `secrets` are values known to be secret (access token,
 * password, client secret…); shorter than 6 characters they are not searched for (they would
 * match ordinary words), the patterns still apply.
 */
export function redactSecrets(text: string, secrets: Iterable<MaybeSecret> = []): string {
  return redactWithForms(text, formsOf(secrets));
}

/**
 * A redaction function for one set of secrets: every text passed to it loses those values (in
 * every encoding redactSecrets knows) and anything secret-shaped. Build it once per operation —
 * the secrets' encoded forms are computed here, not per text. `undefined` passes through.
 */
export function redactor(secrets: Iterable<MaybeSecret>): <T extends string | undefined>(text: T) => T {
  const forms = formsOf(secrets);
  return <T extends string | undefined>(text: T): T => (text === undefined ? text : (redactWithForms(text, forms) as T));
}

// The encoded forms of recently seen secrets: the relay and the scheduler redact a transcript per
// message with the same client secret and token, and computing the forms was most of that work.
// Bounded; holds nothing the process does not already hold (the token cache, loaded profiles).
const formsCache = new Map<string, string[]>();
const FORMS_CACHE_MAX = 512;

function cachedForms(secret: string): string[] {
  let forms = formsCache.get(secret);
  if (!forms) {
    forms = encodedForms(secret);
    if (formsCache.size >= FORMS_CACHE_MAX) formsCache.clear();
    formsCache.set(secret, forms);
  }
  return forms;
}

/** Every searchable form of the known secrets, longest first (computed once per transcript). */
function formsOf(secrets: Iterable<MaybeSecret>): string[] {
  const known = [...new Set([...secrets].filter((s): s is string => typeof s === "string" && s.length >= 6))];
  return known.flatMap(cachedForms).sort((a, b) => b.length - a.length);
}

function redactWithForms(text: string, forms: readonly string[]): string {
  let out = text;
  for (const form of forms) if (out.includes(form)) out = out.split(form).join(REDACTED);
  out = redactEncodedCredentials(out);
  for (const { re, to } of PATTERNS) out = out.replace(re, to as (substring: string, ...args: string[]) => string);
  return out;
}

/** Keeps the first `max` characters of a message body and says how much was left out. */
export function truncateBody(text: string, max = DEFAULT_MAX_BODY_CHARS): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… [message body truncated: ${text.length - max} more characters not stored]`;
}

export type RedactTranscriptOptions = {
  secrets?: Iterable<MaybeSecret>;
  /** Characters of message data (DATA section, "D:" lines) kept; the rest is summarised. */
  maxBodyChars?: number;
};

/**
 * Redacts a protocol transcript given as lines prefixed "C: " (client), "S: " (server),
 * "D: " (message data) or "* " (notes). Beyond redactSecrets it knows the dialogue:
 * - a client line answering a SASL challenge (S: 334 …, IMAP "+ …") is a credential
 *   (AUTH LOGIN user/password, an XOAUTH2 continuation) and is replaced;
 * - message data between "S: 354" and "C: ." and "D:" lines keep only the headers and a short
 *   prefix of the body.
 */
export function redactTranscript(lines: readonly string[], options: RedactTranscriptOptions = {}): string[] {
  const forms = formsOf(options.secrets ?? []);
  const maxBody = options.maxBodyChars ?? DEFAULT_MAX_BODY_CHARS;
  const out: string[] = [];
  let challenged = false;
  let inData = false;
  let inHeaders = true;
  let bodyKept = 0;
  let bodyDropped = 0;
  let droppedNoted = false;

  const flushDropped = () => {
    if (bodyDropped > 0 && !droppedNoted) {
      out.push(`* [message body truncated: ${bodyDropped} more characters not stored]`);
      droppedNoted = true;
    }
  };

  for (const raw of lines) {
    const line = raw.replace(/\r$/, "");
    const isClient = line.startsWith("C: ") || line === "C:";
    const isServer = line.startsWith("S: ");
    const isData = line.startsWith("D: ") || line === "D:";

    if (isData || (inData && isClient && line !== "C: .")) {
      const content = line.replace(/^[CD]: ?/, "");
      if (!inData) {
        inData = true;
        inHeaders = true;
        bodyKept = 0;
        bodyDropped = 0;
        droppedNoted = false;
      }
      if (inHeaders) {
        if (content === "") inHeaders = false;
        out.push(redactWithForms(`D: ${content}`, forms));
        continue;
      }
      if (bodyKept < maxBody) {
        const room = maxBody - bodyKept;
        const kept = content.slice(0, room);
        bodyKept += kept.length + 1;
        bodyDropped += content.length - kept.length;
        out.push(redactWithForms(`D: ${kept}`, forms));
      } else {
        bodyDropped += content.length + 1;
      }
      continue;
    }
    if (inData && (line === "C: ." || isServer || !isClient)) {
      flushDropped();
      inData = false;
    }

    if (isClient && challenged) {
      challenged = false;
      const content = line.slice(3);
      // An empty line (or "*") answers an XOAUTH2 error challenge / aborts; nothing secret.
      out.push(content === "" || content === "*" ? line : `C: ${REDACTED} (credential)`);
      continue;
    }
    if (isServer) {
      const body = line.slice(3);
      challenged = /^334(\s|$)/.test(body) || /^\+(\s|$)/.test(body);
      if (/^354(\s|$)/.test(body)) {
        inData = true;
        inHeaders = true;
        bodyKept = 0;
        bodyDropped = 0;
        droppedNoted = false;
      }
    }
    out.push(redactWithForms(line, forms));
  }
  flushDropped();
  return out;
}

/** True when `text` still contains one of `secrets` in a recognisable form (for assertions and guards). */
export function containsSecret(text: string, secrets: Iterable<MaybeSecret>): boolean {
  for (const s of secrets) {
    if (typeof s !== "string" || s.length < 6) continue;
    if (encodedForms(s).some((f) => text.includes(f))) return true;
  }
  return false;
}
