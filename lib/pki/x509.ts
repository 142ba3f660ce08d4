// The one place @peculiar/x509 is loaded: it needs a Reflect metadata polyfill (its dependency
// injection container checks for one at import) and a WebCrypto provider (Node's own).
import "reflect-metadata";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(globalThis.crypto);

export { x509 };
