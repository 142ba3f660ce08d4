// Container image references, parsed with the grammar of github.com/distribution/reference
// (what Docker, containerd and the kubelet use):
//
//   reference  := name [ ":" tag ] [ "@" digest ]
//   name       := [ domain "/" ] path            (at most 255 characters)
//   domain     := host [ ":" port ]              host: DNS name, or an IPv6 address in [ ]
//   path       := component ( "/" component )*   component: [a-z0-9]+ joined by . _ __ or dashes
//   tag        := [\w][\w.-]{0,127}
//   digest     := algorithm ":" hex              sha256: 64, sha384: 96, sha512: 128 lowercase hex digits
//
// The first component is the registry when it holds a "." or ":" or is "localhost" (as
// Docker decides, except that an uppercase first component is not taken for a registry but
// refused as an uppercase repository). Everything else — URLs, uppercase repositories, truncated digests,
// whitespace — is refused with a sentence saying what is wrong. No imports beyond zod and
// characters: the settings form uses it in the browser too.
import { z } from "zod";
import { firstCharacterOutside, sayCharacter } from "@/lib/characters";

/** The parts of a valid reference. */
export interface ImageReference {
  /** The registry (host and optional port), or null for the default registry. */
  domain: string | null;
  /** The repository path within the registry: "library/debian", "acme/dev". */
  path: string;
  tag: string | null;
  /** "sha256:…", or null. */
  digest: string | null;
}

/** The longest name (registry and path) a reference may have. */
export const MAX_IMAGE_NAME_LENGTH = 255;

const FORM = "[registry/]repository[:tag][@sha256:digest]";
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const DOMAIN = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST_ALGORITHM = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*$/;
/** Hex digits of each digest algorithm a registry can serve. */
const DIGEST_LENGTHS: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

/** A parsed reference, or a sentence saying what is wrong. */
export type ParsedImageReference = { reference: ImageReference; problem?: undefined } | { reference?: undefined; problem: string };

const refuse = (problem: string): ParsedImageReference => ({ problem });

/** Parses `text` (already trimmed) as an image reference: its parts, or a sentence saying what is wrong. */
export function parseImageReference(text: string): ParsedImageReference {
  if (text.length === 0) return refuse("Enter an image reference.");
  const odd = firstCharacterOutside(text, /^[\x21-\x7e]$/);
  if (odd !== null) return refuse(`${sayCharacter(odd, "cannot be part of an image reference")}.`);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return refuse(`That is a URL; write the image as ${FORM}, without a scheme such as https://.`);

  const at = text.indexOf("@");
  const rest = at >= 0 ? text.slice(0, at) : text;
  const digest = at >= 0 ? text.slice(at + 1) : null;
  if (digest !== null) {
    const problem = digestProblem(digest);
    if (problem) return refuse(problem);
  }
  const lastSlash = rest.lastIndexOf("/");
  const colon = rest.lastIndexOf(":");
  const tag = colon > lastSlash ? rest.slice(colon + 1) : null;
  const name = colon > lastSlash ? rest.slice(0, colon) : rest;
  if (tag !== null && !TAG.test(tag)) {
    return refuse(`The tag “${tag}” is not valid: up to 128 letters, digits, underscores, dots and dashes, not starting with a dot or a dash.`);
  }
  if (name.length === 0) return refuse(`The repository is missing; write the image as ${FORM}.`);
  if (name.length > MAX_IMAGE_NAME_LENGTH) return refuse(`The image name is longer than ${MAX_IMAGE_NAME_LENGTH} characters.`);

  const components = name.split("/");
  const first = components[0]!;
  const hasDomain = components.length > 1 && (/[.:]/.test(first) || first === "localhost");
  const domain = hasDomain ? first : null;
  if (domain !== null && !DOMAIN.test(domain)) return refuse(`The registry “${domain}” is not a host name with an optional port (registry.example.com:5000).`);
  const path = hasDomain ? components.slice(1) : components;
  for (const component of path) {
    if (PATH_COMPONENT.test(component)) continue;
    if (PATH_COMPONENT.test(component.toLowerCase())) return refuse(`Repository names must be lowercase: write “${path.join("/").toLowerCase()}”.`);
    if (component.length === 0) return refuse(`The repository “${path.join("/")}” has an empty part between slashes.`);
    return refuse(
      `“${component}” is not a valid repository name part: use lowercase letters and digits, separated by single dots, underscores or dashes.`,
    );
  }
  return { reference: { domain, path: path.join("/"), tag, digest } };
}

// Why a digest ("sha256:…") is not one a registry could serve, or null.
function digestProblem(digest: string): string | null {
  const colon = digest.indexOf(":");
  const algorithm = colon >= 0 ? digest.slice(0, colon) : "";
  const hex = colon >= 0 ? digest.slice(colon + 1) : "";
  if (!DIGEST_ALGORITHM.test(algorithm) || !/^[0-9a-fA-F]+$/.test(hex)) {
    return `The digest “${digest}” is not valid: write @sha256: followed by 64 hexadecimal digits.`;
  }
  const expected = DIGEST_LENGTHS[algorithm];
  if (expected === undefined) return `The digest algorithm “${algorithm}” is not supported: use sha256, sha384 or sha512.`;
  if (hex.length !== expected) return `A ${algorithm} digest has ${expected} hexadecimal digits; this one has ${hex.length}.`;
  if (hex !== hex.toLowerCase()) return "Write the digest's hexadecimal digits in lowercase.";
  return null;
}

/** Why `text` is not an image reference (a sentence), or null when it is. */
export function imageReferenceProblem(text: string): string | null {
  return parseImageReference(text).problem ?? null;
}

/** An image reference from a form or a stored setting: trimmed, and valid by the grammar above. */
export const imageReferenceSchema = z
  .string({ error: "Enter an image reference." })
  .trim()
  .superRefine((text, ctx) => {
    const problem = imageReferenceProblem(text);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });
