//! The phone, email and website parsers: never panic, and what they accept they accept again
//! (parsing is idempotent on its own output).
#![no_main]

use clientele_domain::{Email, Field, PhoneNumber, Website};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(phone) = PhoneNumber::parse(text) {
        assert_eq!(PhoneNumber::parse(phone.as_str()).as_ref(), Ok(&phone));
    }
    if let Ok(email) = Email::parse(Field::Email, text) {
        assert_eq!(Email::parse(Field::Email, email.as_str()).as_ref(), Ok(&email));
        assert!(email.as_str().contains('@'));
    }
    if let Ok(site) = Website::parse(text) {
        assert_eq!(Website::parse(site.as_str()).as_ref(), Ok(&site));
    }
});
