//! A list's query string → `ClientQuery`, on both surfaces: never panics, and an accepted query
//! is within the documented bounds.
#![no_main]

use clientele_adapters_http::Surface;
use clientele_domain::ClientQuery;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(query) = std::str::from_utf8(data) else {
        return;
    };
    for surface in [Surface::Management, Surface::App] {
        if let Ok(q) = ClientQuery::parse(surface.query_input(query)) {
            assert!((1..=ClientQuery::MAX_LIMIT).contains(&q.limit));
            assert!(q.cursor.is_none() || q.offset == 0);
        }
    }
});
