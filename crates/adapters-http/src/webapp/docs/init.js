// Points the vendored RapiDoc at this server's own OpenAPI document (no inline script: CSP).
// Runs before the RapiDoc module (both deferred, in document order).
const doc = document.getElementById('api-doc');
doc.setAttribute('server-url', window.location.origin);
doc.setAttribute('default-api-server', window.location.origin);
doc.setAttribute('spec-url', '/openapi.json');
