//! The cursor decoder: never panics, and a decoded cursor encodes back to a cursor that decodes
//! to the same position.
#![no_main]

use clientele_domain::Cursor;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(cursor) = Cursor::decode(text) {
        assert_eq!(Cursor::decode(&cursor.encode()), Ok(cursor));
    }
});
