// An MCP client registering itself, as an AI agent does: the official MCP TypeScript SDK discovers
// the authorization server's metadata and registers through dynamic client registration (RFC 7591),
// anonymously. RegistrationCeilingIT runs it (after `npm ci` into target/) and reads one JSON line:
//   {"ok":true,"registration_endpoint":…,"registration":{client_id, client_secret, …},
//    "raw":{… the server's whole answer, registration_access_token included}}
// (the SDK keeps only the RFC 7591 fields it knows; RFC 7592's registration_access_token is read
// from the raw answer, which the SDK's own fetch saw)
//   {"ok":false,"error":<OAuth error code>,"error_description":…}   (the server refused)
// Usage: node register.mjs <authorization server URL (the realm)> [scope]
import {
  discoverAuthorizationServerMetadata,
  registerClient,
} from '@modelcontextprotocol/sdk/client/auth.js';

const [issuer, scope] = process.argv.slice(2);
if (!issuer) {
  console.error('usage: node register.mjs <authorization server URL> [scope]');
  process.exit(2);
}

const metadata = await discoverAuthorizationServerMetadata(issuer);
if (!metadata) {
  console.error(`no authorization server metadata found for ${issuer}`);
  process.exit(3);
}

// what an MCP agent registers: a confidential client that signs users in (authorization code) and
// also acts on its own (client credentials)
const clientMetadata = {
  client_name: 'mcp-agent (RegistrationCeilingIT)',
  redirect_uris: ['http://localhost:33418/oauth/callback'],
  grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic',
};

let raw = null;
const fetchFn = async (url, init) => {
  const response = await fetch(url, init);
  if (init?.method === 'POST') {
    raw = await response.clone().json().catch(() => null);
  }
  return response;
};

try {
  const registration = await registerClient(issuer, {
    metadata,
    clientMetadata,
    scope: scope ? scope : undefined,
    fetchFn,
  });
  console.log(
    JSON.stringify({
      ok: true,
      registration_endpoint: metadata.registration_endpoint,
      registration,
      raw,
    }),
  );
} catch (e) {
  console.log(
    JSON.stringify({ ok: false, error: e.errorCode ?? e.name, error_description: e.message }),
  );
}
