//! A request body → `NewClient`, as both surfaces parse it: JSON object, then the domain's rules.
//! Never panics; an accepted client satisfies the rules again when re-parsed from its own values.
#![no_main]

use clientele_adapters_http::Surface;
use clientele_adapters_http::body::JsonObject;
use clientele_domain::{ClientSchema, NewClient};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for (surface, schema) in [
        (Surface::Management, &ClientSchema::MANAGEMENT),
        (Surface::App, &ClientSchema::APP),
    ] {
        let Ok(mut body) = JsonObject::parse(data) else {
            continue;
        };
        let _ = body.fingerprint();
        if let Ok(client) = NewClient::parse(surface.client_input(&mut body), schema) {
            assert!(!client.name.as_str().trim().is_empty());
            assert_eq!(client.name.as_str(), client.name.as_str().trim());
        }
    }
});
