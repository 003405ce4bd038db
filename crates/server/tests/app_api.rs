//! The app API (contract §3, §5) against the real server, on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::too_many_lines)]

mod common;

use std::rc::Rc;

use clientele_domain::{Plan, SignupFlow};
use clientele_ports::{NewUser, UserUpdate};
use common::{Backend, Res, TestApp};
use serde_json::{Value, json};

/// The body the seed's JavaScript `fetch` example sends: `JSON.stringify` of its object, keys in
/// its order, the address exactly as the seed shows it (the docs site's e-mail obfuscation).
const SEED_FETCH_BODY: &str = "{\"name\":\"Acme Corporation\",\"domain\":\"https://acme.com\",\"contactName\":\"John Doe\",\"contactEmail\":\"[email\u{a0}protected]\"}";

const UNAUTHORIZED: fn() -> Value = || json!({"error": "Unauthorized", "code": "unauthorized"});

fn unique_email(tag: &str) -> String {
    format!("{tag}-{}@example.com", uuid::Uuid::new_v4().simple())
}

/// A signed-in browser: its session cookie.
struct Browser<'a> {
    app: &'a TestApp,
    cookie: String,
}

impl Browser<'_> {
    async fn send(&self, method: &str, path: &str, body: Option<&str>) -> Res {
        let cookie = format!("next-auth.session-token={}", self.cookie);
        let mut headers = vec![("Cookie", cookie.as_str())];
        if body.is_some() {
            headers.push(("Content-Type", "application/json"));
        }
        self.app
            .send(method, path, &headers, body.map(str::as_bytes))
            .await
    }

    async fn create(&self, body: &Value) -> Res {
        self.send("POST", "/api/clients", Some(&body.to_string()))
            .await
    }
}

/// The session token of a `Set-Cookie` response, checking the cookie's attributes.
fn session_cookie(res: &Res) -> String {
    let set = res.header("set-cookie").expect("a session cookie");
    assert!(set.starts_with("next-auth.session-token="), "{set}");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=2592000"] {
        assert!(
            set.split("; ").any(|a| a == attribute),
            "{attribute} missing: {set}"
        );
    }
    assert!(!set.contains("Secure"), "{set}");
    set["next-auth.session-token=".len()..]
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

async fn sign_up<'a>(app: &'a TestApp, email: &str) -> (Browser<'a>, Value) {
    let body =
        json!({"email": email, "password": "correct horse battery", "name": "Ann"}).to_string();
    let res = app
        .send(
            "POST",
            "/api/auth/signup",
            &[("Content-Type", "application/json")],
            Some(body.as_bytes()),
        )
        .await;
    assert_eq!(res.status, 201, "{:?}", String::from_utf8_lossy(&res.body));
    let cookie = session_cookie(&res);
    (Browser { app, cookie }, res.json()["user"].clone())
}

/// Posts a verification token.
async fn verify(app: &TestApp, token: &str) -> Res {
    let body = json!({ "token": token }).to_string();
    app.send(
        "POST",
        "/api/auth/verify-email",
        &[("Content-Type", "application/json")],
        Some(body.as_bytes()),
    )
    .await
}

/// The verification token mailed to `email` (the `.eml` files of the test mail directory).
fn mailed_token(email: &str) -> String {
    let dir = clientele_server::Settings::for_tests("sqlite::memory:").mail_dir;
    for entry in std::fs::read_dir(&dir).expect("mail dir") {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap_or_default();
        if text.contains(&format!("To: {email}\r\n")) {
            let after = text.split("verify-email?token=").nth(1).expect("a link");
            return after.split_whitespace().next().unwrap().to_owned();
        }
    }
    panic!("no mail to {email}");
}

async fn verified_browser<'a>(app: &'a TestApp, tag: &str) -> (Browser<'a>, Value) {
    let email = unique_email(tag);
    let (browser, _) = sign_up(app, &email).await;
    let token = mailed_token(&email);
    let res = verify(app, &token).await;
    assert_eq!(res.status, 200, "{:?}", String::from_utf8_lossy(&res.body));
    (browser, res.json()["user"].clone())
}

fn is_rfc3339_millis(s: &str) -> bool {
    s.len() == 24
        && s.as_bytes()[19] == b'.'
        && s.ends_with('Z')
        && time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).is_ok()
}

// ------------------------------------------------------------------------------ the whole flow

async fn sign_up_verify_create(app: TestApp) {
    let email = unique_email("Ann");
    let (browser, user) = sign_up(&app, &email).await;
    assert_eq!(user["email"], email.as_str());
    assert_eq!(user["name"], "Ann");
    assert_eq!(user["emailVerified"], Value::Null);
    assert_eq!(user["signupFlow"], "FREE");
    assert_eq!(user["plan"], "free");
    assert!(clientele_domain::is_cuid2(user["id"].as_str().unwrap()));
    let keys: Vec<&String> = user.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 7, "{keys:?}");

    // The session answers.
    let res = browser.send("GET", "/api/auth/session", None).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.json()["user"]["id"], user["id"]);
    assert!(is_rfc3339_millis(res.json()["expires"].as_str().unwrap()));

    // Not verified yet: the gate refuses, before the body is even read.
    let gate = json!({"error": "Please verify your email before adding clients", "code": "verification_required",
                      "requiresVerification": true, "verificationRequired": true});
    let res = browser
        .send("POST", "/api/clients", Some(SEED_FETCH_BODY))
        .await;
    assert_eq!((res.status.as_u16(), res.json()), (403, gate.clone()));
    let res = browser.send("POST", "/api/clients", Some("not json")).await;
    assert_eq!((res.status.as_u16(), res.json()), (403, gate));

    // Verify with the mailed token.
    let token = mailed_token(&email);
    let res = verify(&app, &token).await;
    assert_eq!(res.status, 200);
    assert!(is_rfc3339_millis(
        res.json()["user"]["emailVerified"].as_str().unwrap()
    ));
    // Single use.
    let res = verify(&app, &token).await;
    assert_eq!(
        (res.status.as_u16(), res.json()["code"].clone()),
        (400, json!("invalid_token"))
    );

    // The seed's fetch body, verbatim: its address is the docs site's placeholder, refused.
    let res = browser
        .send("POST", "/api/clients", Some(SEED_FETCH_BODY))
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(
        res.json(),
        json!({"error": "Validation error", "code": "validation_error", "details": [
            {"code": "invalid_string", "validation": "email", "message": "Must be a valid email", "path": ["contactEmail"]}]})
    );
    // With a real address it is created.
    let res = browser
        .send(
            "POST",
            "/api/clients",
            Some(&SEED_FETCH_BODY.replace("[email\u{a0}protected]", "john@acme.com")),
        )
        .await;
    assert_eq!(res.status, 201, "{:?}", String::from_utf8_lossy(&res.body));
    let client = res.json();
    assert!(clientele_domain::is_cuid2(client["id"].as_str().unwrap()));
    assert_eq!(client["name"], "Acme Corporation");
    assert_eq!(client["domain"], "https://acme.com");
    assert_eq!(client["contactName"], "John Doe");
    assert_eq!(client["contactEmail"], "john@acme.com");
    assert_eq!(client["userId"], user["id"]);
    assert_eq!(client["googleSearchConsoleConnected"], false);
    assert_eq!(client["googleAnalyticsConnected"], false);
    assert_eq!(client["searchConsolePropertyUrl"], Value::Null);
    assert_eq!(client["googleAnalyticsPropertyId"], Value::Null);
    assert_eq!(client["lastReportGenerated"], Value::Null);
    assert_eq!(client["totalReportsGenerated"], 0);
    assert!(is_rfc3339_millis(client["createdAt"].as_str().unwrap()));
    assert_eq!(client["createdAt"], client["updatedAt"]);
    let mut keys: Vec<&str> = client
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "contactEmail",
            "contactName",
            "createdAt",
            "domain",
            "googleAnalyticsConnected",
            "googleAnalyticsPropertyId",
            "googleSearchConsoleConnected",
            "id",
            "lastReportGenerated",
            "name",
            "searchConsolePropertyUrl",
            "totalReportsGenerated",
            "updatedAt",
            "userId"
        ],
        "no token or other field leaks"
    );

    // The same organization on the management API sees it, and the app sees what a key creates.
    let org: clientele_domain::OrganizationId =
        user["organizationId"].as_str().unwrap().parse().unwrap();
    let (_, secret) = app
        .server
        .services
        .accounts
        .create_api_key(org, "ops", clientele_domain::Environment::Production)
        .await
        .unwrap();
    let key = secret.expose();
    let res = app
        .call_as(
            key,
            "GET",
            &format!("/v1/clients/{}", client["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.json()["data"]["name"], "Acme Corporation");
    assert_eq!(res.json()["data"]["type"], Value::Null);
    actix_web::rt::time::sleep(std::time::Duration::from_millis(3)).await;
    let res = app
        .call_as(
            key,
            "POST",
            "/v1/clients",
            Some(
                &json!({"name": "From Ops", "type": "retail", "subscription_plan": "Pro"})
                    .to_string(),
            ),
        )
        .await;
    assert_eq!(res.status, 201);
    let res = browser.send("GET", "/api/clients", None).await;
    assert_eq!(res.status, 200);
    let list = res.json();
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[0]["name"], "From Ops", "newest first");
    assert_eq!(list[0]["userId"], Value::Null);
    assert_eq!(res.header("x-total-count"), Some("2"));
    // The free plan holds 3: the third fits, the fourth is refused, counting both surfaces.
    let res = browser
        .create(&json!({"name": "Third", "domain": "third.io"}))
        .await;
    assert_eq!(res.status, 201);
    let res = browser
        .create(&json!({"name": "Fourth", "domain": "fourth.io"}))
        .await;
    assert_eq!(
        (res.status.as_u16(), res.json()),
        (
            403,
            json!({"error": "You have reached your plan limit of 3 clients", "code": "plan_limit_reached",
                     "currentCount": 3, "limit": 3, "upgradeRequired": true})
        )
    );
}
both!(sign_up_verify_create, Plan::Free);

// ------------------------------------------------------------------------------ validation

async fn validation(app: TestApp) {
    let (browser, _) = verified_browser(&app, "val").await;
    let res = browser
        .create(
            &json!({"name": "A", "domain": "not a url", "contactEmail": "x@y", "contactName": 7}),
        )
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(
        res.json(),
        json!({"error": "Validation error", "code": "validation_error", "details": [
            {"code": "too_small", "minimum": 2, "type": "string", "inclusive": true, "exact": false,
             "message": "Name must be at least 2 characters", "path": ["name"]},
            {"code": "invalid_type", "expected": "string", "received": "number", "message": "Expected string, received number", "path": ["contactName"]},
            {"code": "invalid_string", "validation": "email", "message": "Must be a valid email", "path": ["contactEmail"]},
            {"code": "invalid_string", "validation": "url", "message": "Must be a valid URL", "path": ["domain"]}]})
    );
    let res = browser.create(&json!({})).await;
    let details = res.json()["details"].clone();
    assert_eq!(details.as_array().unwrap().len(), 2);
    assert_eq!(
        details[0],
        json!({"code": "invalid_type", "expected": "string", "received": "undefined", "message": "Required", "path": ["name"]})
    );
    assert_eq!(details[1]["path"], json!(["domain"]));
    for url in [
        "javascript:alert(1)",
        "mailto:a@b.co",
        "ftp://x.io",
        "https://exa mple.com",
    ] {
        let res = browser
            .create(&json!({"name": "Bad URL", "domain": url}))
            .await;
        assert_eq!(res.status, 400, "{url}");
        assert_eq!(res.json()["details"][0]["message"], "Must be a valid URL");
    }
    // The seed's own docs call it a domain: a bare one is accepted.
    let res = browser
        .create(&json!({"name": "Bare", "domain": "Acme.COM", "contactName": "  ", "unknown": [1]}))
        .await;
    assert_eq!(res.status, 201);
    assert_eq!(res.json()["domain"], "https://acme.com");
    assert_eq!(
        res.json()["contactName"],
        Value::Null,
        "blank counts as absent"
    );
    // Same name, other case: 409.
    let res = browser
        .create(&json!({"name": "  BARE ", "domain": "b.io"}))
        .await;
    assert_eq!(
        (res.status.as_u16(), res.json()["code"].clone()),
        (409, json!("name_taken"))
    );

    // Body errors.
    let res = browser
        .app
        .send(
            "POST",
            "/api/clients",
            &[
                (
                    "Cookie",
                    &format!("next-auth.session-token={}", browser.cookie),
                ),
                ("Content-Type", "text/plain"),
            ],
            Some(b"{}"),
        )
        .await;
    assert_eq!(
        (res.status.as_u16(), res.json()["code"].clone()),
        (415, json!("unsupported_media_type"))
    );
    for bad in ["{", "[1,2]", "\"x\"", ""] {
        let res = browser.send("POST", "/api/clients", Some(bad)).await;
        assert_eq!(
            (res.status.as_u16(), res.json()["code"].clone()),
            (400, json!("invalid_json")),
            "{bad:?}"
        );
    }
    let big =
        json!({"name": "Big", "domain": "big.io", "contactName": "x".repeat(70_000)}).to_string();
    let res = browser.send("POST", "/api/clients", Some(&big)).await;
    assert_eq!(
        (res.status.as_u16(), res.json()["code"].clone()),
        (413, json!("payload_too_large"))
    );
    // Sign-up validation: every bad field at once, in camelCase paths.
    let res = app
        .send(
            "POST",
            "/api/auth/signup",
            &[("Content-Type", "application/json")],
            Some(br#"{"email":"nope","password":"short"}"#),
        )
        .await;
    assert_eq!(res.status, 400);
    let paths: Vec<Value> = res.json()["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].clone())
        .collect();
    assert_eq!(paths, [json!(["email"]), json!(["password"])]);
}
both!(validation, Plan::Free);

// ------------------------------------------------------------------------------ reading, updating, deleting

async fn read_update_delete(app: TestApp) {
    let (browser, _) = verified_browser(&app, "rud").await;
    let first = browser.create(&json!({"name": "First", "domain": "first.io", "contactName": "Jo", "contactEmail": "jo@first.io"})).await.json();
    // "Newest first" orders by the millisecond of creation, then by id: CUID2s are random, so two
    // clients of one millisecond have no creation order to check.
    actix_web::rt::time::sleep(std::time::Duration::from_millis(3)).await;
    let second = browser
        .create(&json!({"name": "Second", "domain": "second.io"}))
        .await
        .json();
    let id = first["id"].as_str().unwrap();

    let res = browser
        .send("GET", &format!("/api/clients/{id}"), None)
        .await;
    assert_eq!((res.status.as_u16(), res.json()), (200, first.clone()));
    let res = browser
        .send("GET", "/api/clients?limit=1&offset=1", None)
        .await;
    assert_eq!(
        res.json()
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].clone())
            .collect::<Vec<_>>(),
        [first["id"].clone()]
    );
    assert_eq!(res.header("x-total-count"), Some("2"));
    let res = browser.send("GET", "/api/clients?limit=0", None).await;
    assert_eq!(res.status, 400);
    assert_eq!(res.json()["details"][0]["path"], json!(["limit"]));

    // PUT is partial; null clears the optional contact fields.
    let res = browser
        .send(
            "PUT",
            &format!("/api/clients/{id}"),
            Some(r#"{"contactName": null, "domain": "https://First.io/about"}"#),
        )
        .await;
    assert_eq!(res.status, 200);
    let updated = res.json();
    assert_eq!(updated["contactName"], Value::Null);
    assert_eq!(updated["contactEmail"], "jo@first.io");
    assert_eq!(updated["domain"], "https://first.io/about");
    assert_eq!(updated["name"], "First");
    let res = browser
        .send(
            "PUT",
            &format!("/api/clients/{id}"),
            Some(r#"{"domain": null}"#),
        )
        .await;
    assert_eq!(
        res.status, 400,
        "the domain is required and cannot be cleared"
    );
    let res = browser
        .send(
            "PUT",
            &format!("/api/clients/{id}"),
            Some(r#"{"name": "second"}"#),
        )
        .await;
    assert_eq!(res.json()["code"], "name_taken");

    // Not found, and another organization's client, look the same.
    let (stranger, _) = verified_browser(&app, "other").await;
    for (method, path, message) in [
        ("GET", format!("/api/clients/{id}"), "Client not found"),
        (
            "PUT",
            format!("/api/clients/{id}"),
            "Client not found or unauthorized",
        ),
        (
            "DELETE",
            format!("/api/clients/{id}"),
            "Client not found or unauthorized",
        ),
        (
            "GET",
            "/api/clients/not-an-id!".to_owned(),
            "Client not found",
        ),
    ] {
        let body = (method == "PUT").then_some(r#"{"name": "Mine now"}"#);
        let res = stranger.send(method, &path, body).await;
        assert_eq!(
            (res.status.as_u16(), res.json()),
            (404, json!({"error": message, "code": "not_found"})),
            "{method} {path}"
        );
    }
    assert_eq!(
        stranger.send("GET", "/api/clients", None).await.json(),
        json!([])
    );

    let res = browser
        .send("DELETE", &format!("/api/clients/{id}"), None)
        .await;
    assert_eq!(
        (res.status.as_u16(), res.json()),
        (200, json!({"message": "Client deleted successfully"}))
    );
    let res = browser
        .send("GET", &format!("/api/clients/{id}"), None)
        .await;
    assert_eq!(res.status, 404);
    let res = browser.send("GET", "/api/clients", None).await;
    assert_eq!(res.json()[0]["id"], second["id"]);
}
both!(read_update_delete, Plan::Free);

// ------------------------------------------------------------------------------ sessions

async fn log_in_and_out(app: TestApp) {
    let email = unique_email("Log");
    let (first, _) = sign_up(&app, &email).await;
    let invalid = json!({"error": "Invalid email or password", "code": "invalid_credentials"});
    for body in [
        json!({"email": email, "password": "wrong password!"}),
        json!({"email": unique_email("nobody"), "password": "correct horse battery"}),
        json!({"email": "not-an-email", "password": "correct horse battery"}),
    ] {
        let res = app
            .send(
                "POST",
                "/api/auth/login",
                &[("Content-Type", "application/json")],
                Some(body.to_string().as_bytes()),
            )
            .await;
        assert_eq!(
            (res.status.as_u16(), res.json()),
            (401, invalid.clone()),
            "{body}"
        );
        assert!(res.header("set-cookie").is_none());
    }
    let res = app
        .send(
            "POST",
            "/api/auth/login",
            &[("Content-Type", "application/json")],
            Some(br#"{"email": 1}"#),
        )
        .await;
    assert_eq!(res.status, 400);
    let body =
        json!({"email": email.to_uppercase(), "password": "correct horse battery"}).to_string();
    let res = app
        .send(
            "POST",
            "/api/auth/login",
            &[("Content-Type", "application/json")],
            Some(body.as_bytes()),
        )
        .await;
    assert_eq!(res.status, 200);
    let second = Browser {
        app: &app,
        cookie: session_cookie(&res),
    };
    assert_ne!(second.cookie, first.cookie);

    // Logging out deletes the session server-side and clears the cookie.
    let res = first.send("POST", "/api/auth/logout", None).await;
    assert_eq!(res.status, 204);
    let cleared = res.header("set-cookie").unwrap();
    assert!(
        cleared.starts_with("next-auth.session-token=;") && cleared.contains("Max-Age=0"),
        "{cleared}"
    );
    let res = first.send("GET", "/api/auth/session", None).await;
    assert_eq!((res.status.as_u16(), res.json()), (401, UNAUTHORIZED()));
    assert_eq!(
        second.send("GET", "/api/auth/session", None).await.status,
        200
    );

    // No cookie, or a made-up one: 401 everywhere.
    for path in ["/api/auth/session", "/api/clients", "/api/clients/abc"] {
        let res = app.send("GET", path, &[], None).await;
        assert_eq!(
            (res.status.as_u16(), res.json()),
            (401, UNAUTHORIZED()),
            "{path}"
        );
        let res = app
            .send(
                "GET",
                path,
                &[("Cookie", "next-auth.session-token=made-up")],
                None,
            )
            .await;
        assert_eq!(res.status, 401, "{path}");
    }
    // The __Secure- name is accepted too.
    let res = app
        .send(
            "GET",
            "/api/auth/session",
            &[(
                "Cookie",
                &format!("__Secure-next-auth.session-token={}", second.cookie),
            )],
            None,
        )
        .await;
    assert_eq!(res.status, 200);
    // Signing up twice with one address (any case) is refused.
    let body = json!({"email": email.to_uppercase(), "password": "another password"}).to_string();
    let res = app
        .send(
            "POST",
            "/api/auth/signup",
            &[("Content-Type", "application/json")],
            Some(body.as_bytes()),
        )
        .await;
    assert_eq!(
        (res.status.as_u16(), res.json()),
        (
            409,
            json!({"error": "An account with this email already exists", "code": "email_taken"})
        )
    );
}
both!(log_in_and_out, Plan::Free);

// ------------------------------------------------------------------------------ the gate and origins

async fn the_gate_cannot_be_bypassed(app: TestApp) {
    // Sign-up ignores any plan, flow or verification the request claims.
    let email = unique_email("sneaky");
    let body = json!({"email": email, "password": "correct horse battery", "signupFlow": "PAID_TRIAL", "signup_flow": "PAID_TRIAL",
                      "plan": "enterprise", "emailVerified": "2024-01-01T00:00:00.000Z", "subscriptionStatus": "active"})
    .to_string();
    let res = app
        .send(
            "POST",
            "/api/auth/signup",
            &[("Content-Type", "application/json")],
            Some(body.as_bytes()),
        )
        .await;
    assert_eq!(res.status, 201);
    let user = res.json()["user"].clone();
    assert_eq!(
        (
            user["signupFlow"].as_str(),
            user["plan"].as_str(),
            &user["emailVerified"]
        ),
        (Some("FREE"), Some("free"), &Value::Null)
    );
    let cookie = session_cookie(&res);

    let attempts: [(&str, Value); 3] = [
        (
            "",
            json!({"name": "Bypass", "domain": "b.io", "emailVerified": true, "requiresVerification": false}),
        ),
        (
            "; signupFlow=PAID_TRIAL; signup_flow=PAID_TRIAL; emailVerified=true; verified=1",
            json!({"name": "Bypass", "domain": "b.io"}),
        ),
        (
            "; next-auth.signup-flow=PAID_TRIAL; plan=enterprise",
            json!({"name": "Bypass", "domain": "b.io", "signupFlow": "PAID_TRIAL", "subscriptionStatus": "active"}),
        ),
    ];
    for (extra, body) in attempts {
        let cookies = format!("next-auth.session-token={cookie}{extra}");
        let res = app
            .send(
                "POST",
                "/api/clients",
                &[
                    ("Cookie", &cookies),
                    ("Content-Type", "application/json"),
                    ("X-Signup-Flow", "PAID_TRIAL"),
                ],
                Some(body.to_string().as_bytes()),
            )
            .await;
        assert_eq!(
            (res.status.as_u16(), res.json()["code"].clone()),
            (403, json!("verification_required")),
            "{extra} {body}"
        );
    }
    // A verify-email call with a made-up token does not help either.
    let res = app
        .send(
            "POST",
            "/api/auth/verify-email",
            &[("Content-Type", "application/json")],
            Some(br#"{"token": "guess"}"#),
        )
        .await;
    assert_eq!(
        (res.status.as_u16(), res.json()),
        (
            400,
            json!({"error": "Invalid or expired token", "code": "invalid_token"})
        )
    );
    let res = app
        .send(
            "POST",
            "/api/auth/verify-email",
            &[("Content-Type", "application/json")],
            Some(br"{}"),
        )
        .await;
    assert_eq!(
        (res.status.as_u16(), res.json()["code"].clone()),
        (400, json!("validation_error"))
    );
}
both!(the_gate_cannot_be_bypassed, Plan::Free);

async fn origins(app: TestApp) {
    let (browser, _) = verified_browser(&app, "origin").await;
    let cookie = format!("next-auth.session-token={}", browser.cookie);
    let body = br#"{"name": "Origin Test", "domain": "o.io"}"#;
    let send = |origin: &'static str| {
        let cookie = cookie.clone();
        let app = &app;
        async move {
            app.send(
                "POST",
                "/api/clients",
                &[
                    ("Cookie", &cookie),
                    ("Content-Type", "application/json"),
                    ("Origin", origin),
                ],
                Some(body),
            )
            .await
        }
    };
    let res = send("https://evil.example").await;
    assert_eq!(
        (res.status.as_u16(), res.json()),
        (403, json!({"error": "Forbidden", "code": "forbidden"}))
    );
    let res = send("http://allowed.example").await;
    assert_eq!(res.status, 201, "configured with --allowed-origin");
    // The bind address's own origin is allowed by default.
    let own = app.server.url();
    let res = app
        .send(
            "DELETE",
            &format!("/api/clients/{}", res.json()["id"].as_str().unwrap()),
            &[("Cookie", &cookie), ("Origin", &own)],
            None,
        )
        .await;
    assert_eq!(res.status, 200);
    // Reads are not writes.
    let res = app
        .send(
            "GET",
            "/api/clients",
            &[("Cookie", &cookie), ("Origin", "https://evil.example")],
            None,
        )
        .await;
    assert_eq!(res.status, 200);
}
both!(origins, Plan::Free, |s: &mut clientele_server::Settings| {
    s.allowed_origins = vec!["http://allowed.example".to_owned()]
});

// ------------------------------------------------------------------------------ plans and trials

async fn trials(app: TestApp) {
    let services = &app.server.services;
    let login = |email: String| {
        let app = &app;
        async move {
            let body = json!({"email": email, "password": "trial password"}).to_string();
            let res = app
                .send(
                    "POST",
                    "/api/auth/login",
                    &[("Content-Type", "application/json")],
                    Some(body.as_bytes()),
                )
                .await;
            assert_eq!(res.status, 200);
            Browser {
                app,
                cookie: session_cookie(&res),
            }
        }
    };
    // A paid trial passes the gate without a verified email.
    let email = unique_email("trial");
    let account = services
        .accounts
        .create_user(NewUser {
            email: email.clone(),
            password: "trial password".into(),
            name: None,
            organization: None,
            verified: false,
            signup_flow: SignupFlow::PaidTrial,
        })
        .await
        .unwrap();
    services
        .organizations
        .set_plan(account.user.organization_id, Plan::Starter)
        .await
        .unwrap();
    let browser = login(email.clone()).await;
    assert_eq!(
        browser
            .create(&json!({"name": "Trial One", "domain": "t1.io"}))
            .await
            .status,
        201
    );

    // Once the trial has passed, it counts as the free plan: the gate wants a verified email...
    let past = time::OffsetDateTime::now_utc() - time::Duration::hours(1);
    services
        .accounts
        .update_user(
            &email,
            UserUpdate {
                plan_expires_at: Some(Some(past)),
                ..UserUpdate::default()
            },
        )
        .await
        .unwrap();
    let res = browser
        .create(&json!({"name": "Trial Two", "domain": "t2.io"}))
        .await;
    assert_eq!(
        (res.status.as_u16(), res.json()["code"].clone()),
        (403, json!("verification_required"))
    );
    let session = browser.send("GET", "/api/auth/session", None).await.json();
    assert_eq!(session["user"]["plan"], "free");

    // ...and the free plan's limit applies although the organization is on starter (5).
    services
        .accounts
        .update_user(
            &email,
            UserUpdate {
                verified: Some(true),
                ..UserUpdate::default()
            },
        )
        .await
        .unwrap();
    for name in ["Trial Two", "Trial Three"] {
        assert_eq!(
            browser
                .create(&json!({"name": name, "domain": "t.io"}))
                .await
                .status,
            201,
            "{name}"
        );
    }
    let res = browser
        .create(&json!({"name": "Trial Four", "domain": "t4.io"}))
        .await;
    assert_eq!(res.json()["currentCount"], 3);
    assert_eq!(res.json()["limit"], 3);

    // An active subscription lifts both.
    services
        .accounts
        .update_user(
            &email,
            UserUpdate {
                subscription_status: Some(clientele_domain::SubscriptionStatus::Active),
                ..UserUpdate::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        browser
            .create(&json!({"name": "Trial Four", "domain": "t4.io"}))
            .await
            .status,
        201
    );
}
both!(trials, Plan::Free);

async fn concurrent_creates_at_the_limit(app: TestApp) {
    let (browser, _) = verified_browser(&app, "race").await;
    let cookie = Rc::new(format!("next-auth.session-token={}", browser.cookie));
    drop(browser);
    let app = Rc::new(app);
    let tasks: Vec<_> = (0..12)
        .map(|i| {
            let app = Rc::clone(&app);
            let cookie = Rc::clone(&cookie);
            actix_web::rt::spawn(async move {
                let body = json!({"name": format!("Racer {i}"), "domain": "race.io"}).to_string();
                app.send(
                    "POST",
                    "/api/clients",
                    &[("Cookie", &cookie), ("Content-Type", "application/json")],
                    Some(body.as_bytes()),
                )
                .await
                .status
                .as_u16()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    statuses.sort_unstable();
    assert_eq!(
        statuses,
        [201, 201, 201, 403, 403, 403, 403, 403, 403, 403, 403, 403]
    );
    let res = app
        .send("GET", "/api/clients", &[("Cookie", &cookie)], None)
        .await;
    assert_eq!(res.header("x-total-count"), Some("3"));
}
both!(concurrent_creates_at_the_limit, Plan::Free);

// ------------------------------------------------------------------------------ mail outages

/// The mailer fails during sign-up (its directory lies under a regular file): the account is
/// still created and signed in, resending answers 503 while mail is down, and once it is back a
/// resent link verifies the email.
async fn mail_outage(backend: Backend) {
    let blocker = std::env::temp_dir().join(format!(
        "clientele-not-a-dir-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::write(&blocker, b"a file where the mail directory should be").unwrap();
    let mail_dir = blocker.join("mail");
    let dir = mail_dir.clone();
    let app = TestApp::start_with(backend, Plan::Free, move |s| s.mail_dir = dir).await;
    let email = unique_email("outage");
    let (browser, user) = sign_up(&app, &email).await;
    assert_eq!(user["emailVerified"], Value::Null);
    let res = browser
        .send("POST", "/api/auth/resend-verification", None)
        .await;
    assert_eq!(
        (res.status.as_u16(), res.json()["code"].clone()),
        (503, json!("unavailable"))
    );
    assert!(res.header("retry-after").is_some());

    // Mail is back.
    std::fs::remove_file(&blocker).unwrap();
    let res = browser
        .send("POST", "/api/auth/resend-verification", None)
        .await;
    assert_eq!(
        (res.status.as_u16(), res.json()),
        (202, json!({"message": "Verification email sent"}))
    );
    let eml = std::fs::read_dir(&mail_dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let text = std::fs::read_to_string(eml).unwrap();
    let token = text
        .split("verify-email?token=")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let res = verify(&app, &token).await;
    assert_eq!(res.status, 200);
    let res = browser
        .send("POST", "/api/auth/resend-verification", None)
        .await;
    assert_eq!(
        (res.status.as_u16(), res.json()),
        (200, json!({"message": "Email already verified"}))
    );
    assert_eq!(
        browser
            .create(&json!({"name": "After Outage", "domain": "o.io"}))
            .await
            .status,
        201
    );
    let res = app
        .send("POST", "/api/auth/resend-verification", &[], None)
        .await;
    assert_eq!(res.status, 401);
    let _ = std::fs::remove_dir_all(&blocker);
}

#[actix_web::test]
async fn mail_outage_sqlite() {
    mail_outage(Backend::Sqlite).await;
}

#[actix_web::test]
#[ignore = "needs PostgreSQL: scripts/test.sh runs it when PostgreSQL answers"]
async fn mail_outage_postgres() {
    mail_outage(Backend::Postgres).await;
}

// ------------------------------------------------------------------------------ usage and keys

fn usage_of(res: &Res) -> (Value, Value, Value, Value, Value, Value, Value, Value) {
    assert_eq!(res.status, 200, "{:?}", String::from_utf8_lossy(&res.body));
    let u = res.json();
    let c = &u["clients"];
    (
        c["used"].clone(),
        c["limit"].clone(),
        c["remaining"].clone(),
        c["percentage"].clone(),
        c["isAtLimit"].clone(),
        c["isNearLimit"].clone(),
        u["plan"].clone(),
        u["planName"].clone(),
    )
}

async fn usage(app: TestApp) {
    let res = app.send("GET", "/api/usage", &[], None).await;
    assert_eq!((res.status.as_u16(), res.json()), (401, UNAUTHORIZED()));

    let (browser, user) = verified_browser(&app, "usage").await;
    let get = || browser.send("GET", "/api/usage", None);
    assert_eq!(
        usage_of(&get().await),
        (
            json!(0),
            json!(3),
            json!(3),
            json!(0),
            json!(false),
            json!(false),
            json!("free"),
            json!("Free")
        )
    );
    for (i, name) in ["One", "Two"].into_iter().enumerate() {
        let res = browser
            .create(&json!({"name": name, "domain": "u.io"}))
            .await;
        assert_eq!(res.status, 201, "{i}");
    }
    assert_eq!(
        usage_of(&get().await),
        (
            json!(2),
            json!(3),
            json!(1),
            json!(67),
            json!(false),
            json!(false),
            json!("free"),
            json!("Free")
        )
    );
    browser
        .create(&json!({"name": "Three", "domain": "u.io"}))
        .await;
    assert_eq!(
        usage_of(&get().await),
        (
            json!(3),
            json!(3),
            json!(0),
            json!(100),
            json!(true),
            json!(true),
            json!("free"),
            json!("Free")
        )
    );
    // Another organization's clients never count; a plan change shows at once.
    let (other, _) = verified_browser(&app, "usage-other").await;
    other
        .create(&json!({"name": "Elsewhere", "domain": "e.io"}))
        .await;
    let org = user["organizationId"].as_str().unwrap().parse().unwrap();
    let services = &app.server.services;
    services
        .organizations
        .set_plan(org, Plan::Starter)
        .await
        .unwrap();
    assert_eq!(
        usage_of(&get().await),
        (
            json!(3),
            json!(5),
            json!(2),
            json!(60),
            json!(false),
            json!(false),
            json!("starter"),
            json!("Starter")
        )
    );
    services
        .organizations
        .set_plan(org, Plan::Agency)
        .await
        .unwrap();
    assert_eq!(usage_of(&get().await).6, json!("agency"));
    services
        .organizations
        .set_plan(org, Plan::Enterprise)
        .await
        .unwrap();
    assert_eq!(
        usage_of(&get().await),
        (
            json!(3),
            Value::Null,
            Value::Null,
            json!(0),
            json!(false),
            json!(false),
            json!("enterprise"),
            json!("Enterprise")
        )
    );
    // An expired trial counts as the free plan, whatever the organization's.
    let email = user["email"].as_str().unwrap();
    let past = time::OffsetDateTime::now_utc() - time::Duration::hours(1);
    services
        .accounts
        .update_user(
            email,
            UserUpdate {
                signup_flow: Some(SignupFlow::PaidTrial),
                plan_expires_at: Some(Some(past)),
                ..UserUpdate::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        usage_of(&get().await),
        (
            json!(3),
            json!(3),
            json!(0),
            json!(100),
            json!(true),
            json!(true),
            json!("free"),
            json!("Free")
        )
    );
    let res = browser.send("POST", "/api/usage", Some("{}")).await;
    assert_eq!(res.status, 405);
}
both!(usage, Plan::Free);

async fn api_keys(app: TestApp) {
    let res = app.send("GET", "/api/keys", &[], None).await;
    assert_eq!((res.status.as_u16(), res.json()), (401, UNAUTHORIZED()));

    // The gate: an unverified account gets no key (before its body is even read).
    let (unverified, _) = sign_up(&app, &unique_email("keys-unverified")).await;
    for body in [r#"{"name": "CI"}"#, "not json"] {
        let res = unverified.send("POST", "/api/keys", Some(body)).await;
        assert_eq!(
            (res.status.as_u16(), res.json()["code"].clone()),
            (403, json!("verification_required")),
            "{body}"
        );
    }
    assert_eq!(
        unverified.send("GET", "/api/keys", None).await.json(),
        json!([])
    );

    let (browser, _) = verified_browser(&app, "keys").await;
    let res = browser
        .send(
            "POST",
            "/api/keys",
            Some(r#"{"name": " CI ", "environment": "sandbox"}"#),
        )
        .await;
    assert_eq!(res.status, 201, "{:?}", String::from_utf8_lossy(&res.body));
    let created = res.json();
    let secret = created["key"].as_str().unwrap().to_owned();
    assert!(
        secret.starts_with("vox_mgmt_") && secret.len() == 41,
        "{secret}"
    );
    assert_eq!(created["name"], "CI");
    assert_eq!(created["environment"], "sandbox");
    assert!(secret.starts_with(created["prefix"].as_str().unwrap()));
    assert!(is_rfc3339_millis(created["createdAt"].as_str().unwrap()));
    assert_eq!(
        (created["lastUsedAt"].clone(), created["revokedAt"].clone()),
        (Value::Null, Value::Null)
    );
    let mut keys: Vec<&String> = created.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "createdAt",
            "environment",
            "id",
            "key",
            "lastUsedAt",
            "name",
            "prefix",
            "revokedAt"
        ]
    );
    let second = browser.send("POST", "/api/keys", Some("{}")).await.json();
    assert_eq!(
        (second["name"].clone(), second["environment"].clone()),
        (json!("API key"), json!("production"))
    );

    // Listed newest first, never with the key.
    let list = browser.send("GET", "/api/keys", None).await;
    assert_eq!(list.status, 200);
    let list = list.json();
    let ids: Vec<&Value> = list.as_array().unwrap().iter().map(|k| &k["id"]).collect();
    assert_eq!(ids, [&second["id"], &created["id"]]);
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .all(|k| k.get("key").is_none())
    );
    assert!(
        !String::from_utf8_lossy(&browser.send("GET", "/api/keys", None).await.body)
            .contains(&secret)
    );

    // The key works on the management API, for this organization.
    let me = app.call_as(&secret, "GET", "/v1/auth/me", None).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.json()["api_key_id"], created["id"]);
    let used = browser.send("GET", "/api/keys", None).await.json();
    assert!(used[1]["lastUsedAt"].is_string(), "{used}");

    // Validation at the fields, every issue at once.
    let res = browser
        .send(
            "POST",
            "/api/keys",
            Some(&json!({"name": "x".repeat(101), "environment": "prod"}).to_string()),
        )
        .await;
    assert_eq!(res.status, 400);
    let paths: Vec<Value> = res.json()["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].clone())
        .collect();
    assert_eq!(paths, [json!(["name"]), json!(["environment"])]);
    let res = browser
        .send("POST", "/api/keys", Some(r#"{"name": 7}"#))
        .await;
    assert_eq!(res.json()["details"][0]["code"], "invalid_type");

    // Content type and origin, as on every cookie-authenticated write.
    let cookie = format!("next-auth.session-token={}", browser.cookie);
    let res = app
        .send(
            "POST",
            "/api/keys",
            &[("Cookie", &cookie), ("Content-Type", "text/plain")],
            Some(b"{}"),
        )
        .await;
    assert_eq!(res.status, 415);
    let res = app
        .send(
            "POST",
            "/api/keys",
            &[
                ("Cookie", &cookie),
                ("Content-Type", "application/json"),
                ("Origin", "https://evil.example"),
            ],
            Some(b"{}"),
        )
        .await;
    assert_eq!(
        (res.status.as_u16(), res.json()["code"].clone()),
        (403, json!("forbidden"))
    );
    let id = created["id"].as_str().unwrap();
    let res = app
        .send(
            "DELETE",
            &format!("/api/keys/{id}"),
            &[("Cookie", &cookie), ("Origin", "https://evil.example")],
            None,
        )
        .await;
    assert_eq!(res.status, 403);

    // Another organization's key is not found, and stays valid.
    let (other, _) = verified_browser(&app, "keys-other").await;
    let theirs = other.send("POST", "/api/keys", Some("{}")).await.json();
    let res = browser
        .send(
            "DELETE",
            &format!("/api/keys/{}", theirs["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(
        (res.status.as_u16(), res.json()["code"].clone()),
        (404, json!("not_found"))
    );
    assert_eq!(
        app.call_as(theirs["key"].as_str().unwrap(), "GET", "/v1/auth/me", None)
            .await
            .status,
        200
    );
    assert_eq!(
        browser
            .send("DELETE", "/api/keys/not-a-uuid", None)
            .await
            .status,
        404
    );

    // Revoked from the next request on; revoking again keeps the first time.
    let res = browser
        .send("DELETE", &format!("/api/keys/{id}"), None)
        .await;
    assert_eq!(res.status, 200);
    let revoked_at = res.json()["revokedAt"].clone();
    assert!(revoked_at.is_string());
    let res = app.call_as(&secret, "GET", "/v1/auth/me", None).await;
    assert_eq!((res.status.as_u16(), res.json()), (401, UNAUTHORIZED()));
    let again = browser
        .send("DELETE", &format!("/api/keys/{id}"), None)
        .await
        .json();
    assert_eq!(again["revokedAt"], revoked_at);
    assert_eq!(browser.send("GET", "/api/keys/x", None).await.status, 405);
}
both!(api_keys, Plan::Free);

/// A user whose trial has ended counts as the free plan; they take no API key, whose creates
/// would count against the organization's own plan instead.
async fn an_expired_trial_takes_no_key(app: TestApp) {
    let (browser, user) = verified_browser(&app, "expired").await;
    let org = user["organizationId"].as_str().unwrap().parse().unwrap();
    let services = &app.server.services;
    services
        .organizations
        .set_plan(org, Plan::Agency)
        .await
        .unwrap();
    let past = time::OffsetDateTime::now_utc() - time::Duration::hours(1);
    services
        .accounts
        .update_user(
            user["email"].as_str().unwrap(),
            UserUpdate {
                signup_flow: Some(SignupFlow::PaidTrial),
                plan_expires_at: Some(Some(past)),
                ..UserUpdate::default()
            },
        )
        .await
        .unwrap();
    let res = browser.send("POST", "/api/keys", Some("{}")).await;
    assert_eq!(
        (res.status.as_u16(), res.json()["code"].clone()),
        (403, json!("trial_ended"))
    );
    assert_eq!(
        browser.send("GET", "/api/keys", None).await.json(),
        json!([])
    );
}
both!(an_expired_trial_takes_no_key, Plan::Free);

/// Search through the app API: a case-insensitive substring of the name, with the total.
async fn app_search(app: TestApp) {
    let (browser, _) = verified_browser(&app, "search").await;
    for name in ["Acme Motors", "Bistro", "ACME Foods"] {
        assert_eq!(
            browser
                .create(&json!({"name": name, "domain": "s.io"}))
                .await
                .status,
            201
        );
    }
    let res = browser
        .send("GET", "/api/clients?q=acme&limit=1", None)
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("x-total-count"), Some("2"));
    assert_eq!(res.json()[0]["name"], "ACME Foods");
    let res = browser
        .send("GET", "/api/clients?q=acme&limit=1&offset=1", None)
        .await;
    assert_eq!(res.json()[0]["name"], "Acme Motors");
    let res = browser
        .send("GET", &format!("/api/clients?q={}", "q".repeat(256)), None)
        .await;
    assert_eq!(
        (
            res.status.as_u16(),
            res.json()["details"][0]["path"].clone()
        ),
        (400, json!(["q"]))
    );
}
both!(app_search, Plan::Free);

/// The page the verification email links to is the web app's verify page: the app's HTML shell,
/// which echoes nothing of the request (a hostile `token` cannot inject markup), under a strict
/// content security policy; its script posts the token to the API.
#[actix_web::test]
async fn the_verification_link_opens_a_page() {
    let app = TestApp::start(Backend::Sqlite, Plan::Free).await;
    let res = app
        .send(
            "GET",
            "/verify-email?token=%3C%2Fscript%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E",
            &[],
            None,
        )
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-type"), Some("text/html; charset=utf-8"));
    let csp = res.header("content-security-policy").unwrap();
    assert!(csp.contains("script-src 'self';"), "{csp}");
    assert!(!csp.contains("unsafe"), "{csp}");
    let page = String::from_utf8(res.body).unwrap();
    assert!(!page.contains("alert(1)"));
    assert!(!page.contains("<script>"), "no inline script");
    let script = page
        .split("src=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the app's script")
        .to_owned();
    assert!(script.starts_with("/assets/app.js?v="), "{script}");
    let js = app.send("GET", &script, &[], None).await;
    assert_eq!(js.status, 200);
    assert!(String::from_utf8_lossy(&js.body).contains("/api/auth/verify-email"));
    let res = app.send("POST", "/verify-email", &[], None).await;
    assert_eq!(res.status, 405);
}

/// The web app's pages and assets: every page path answers the shell under a strict policy; the
/// assets are versioned by content, cached for a year at their current version, compressed when
/// asked, and revalidated by `ETag`; `/docs` serves the reference from the binary.
#[actix_web::test]
async fn the_web_app_and_the_reference_are_served_from_the_binary() {
    let app = TestApp::start(Backend::Sqlite, Plan::Free).await;
    let shell = app.send("GET", "/", &[], None).await;
    assert_eq!(shell.status, 200);
    assert_eq!(shell.header("cache-control"), Some("no-cache"));
    for path in ["/login", "/signup", "/clients", "/keys", "/verify-email"] {
        let page = app.send("GET", path, &[], None).await;
        assert_eq!(
            (page.status.as_u16(), &page.body),
            (200, &shell.body),
            "{path}"
        );
        assert!(
            page.header("content-security-policy")
                .unwrap()
                .starts_with("default-src 'self'; script-src 'self'; style-src 'self';")
        );
    }
    let html = String::from_utf8(shell.body.clone()).unwrap();
    let asset = |name: &str| {
        html.split(&format!("/assets/{name}?v="))
            .nth(1)
            .and_then(|s| s.split('"').next())
            .map(|v| format!("/assets/{name}?v={v}"))
            .expect("a versioned asset")
    };
    for (path, kind) in [
        (asset("app.js"), "text/javascript"),
        (asset("app.css"), "text/css"),
    ] {
        let res = app.send("GET", &path, &[], None).await;
        assert_eq!(res.status, 200, "{path}");
        assert!(res.header("content-type").unwrap().starts_with(kind));
        assert_eq!(
            res.header("cache-control"),
            Some("public, max-age=31536000, immutable")
        );
        let zipped = app
            .send("GET", &path, &[("Accept-Encoding", "gzip")], None)
            .await;
        assert_eq!(zipped.header("content-encoding"), Some("gzip"));
        assert!(zipped.body.len() < res.body.len() / 2, "{path}: gzip");
        let etag = res.header("etag").unwrap().to_owned();
        let again = app
            .send("GET", &path, &[("If-None-Match", &etag)], None)
            .await;
        assert_eq!((again.status.as_u16(), again.body.len()), (304, 0));
        let stale = app
            .send("GET", &path.replace("?v=", "?v=old"), &[], None)
            .await;
        assert_eq!(
            stale.header("cache-control"),
            Some("no-cache"),
            "an old version is revalidated"
        );
    }
    let docs = app.send("GET", "/docs", &[], None).await;
    assert_eq!(docs.status, 200);
    let docs_html = String::from_utf8(docs.body).unwrap();
    assert!(docs_html.contains("<rapi-doc"));
    assert!(!docs_html.contains("<script>"), "no inline script");
    assert!(
        docs.headers
            .get("content-security-policy")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("script-src 'self';")
    );
    let js = docs_html
        .split("src=\"")
        .find(|s| s.starts_with("/docs/assets/rapidoc-min.js"))
        .unwrap();
    let js = js.split('"').next().unwrap();
    let res = app
        .send("GET", js, &[("Accept-Encoding", "gzip, br")], None)
        .await;
    assert_eq!(res.status, 200);
    assert!(
        res.header("content-type")
            .unwrap()
            .starts_with("text/javascript")
    );
    assert_eq!(res.header("content-encoding"), Some("gzip"));
    assert_eq!(app.send("POST", "/clients", &[], None).await.status, 405);
    assert_eq!(
        app.send("GET", "/assets/nothing.js", &[], None)
            .await
            .status,
        404
    );
}

/// `cursor` paging on `/api/clients` through `X-Next-Cursor`, with `q` sent again.
async fn app_cursor_paging(app: TestApp) {
    let (browser, _) = verified_browser(&app, "cursor").await;
    let org = browser.send("GET", "/api/auth/session", None).await.json()["user"]["organizationId"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    app.server
        .services
        .organizations
        .set_plan(org, Plan::Enterprise)
        .await
        .unwrap();
    for i in 0..5 {
        let res = browser
            .create(&json!({"name": format!("Cursor {i}"), "domain": "c.io"}))
            .await;
        assert_eq!(res.status, 201);
        // Creation times are kept to the millisecond; ties are ordered by id (random CUIDs here),
        // so the expected order needs distinct times.
        actix_web::rt::time::sleep(std::time::Duration::from_millis(3)).await;
    }
    browser
        .create(&json!({"name": "Other", "domain": "o.io"}))
        .await;
    let mut seen = Vec::new();
    let mut path = "/api/clients?q=cursor&limit=2".to_owned();
    loop {
        let res = browser.send("GET", &path, None).await;
        assert_eq!(res.status, 200);
        assert_eq!(res.header("x-total-count"), Some("5"));
        seen.extend(
            res.json()
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["name"].as_str().unwrap().to_owned()),
        );
        match res.header("x-next-cursor") {
            Some(next) => path = format!("/api/clients?q=cursor&limit=2&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(
        seen,
        ["Cursor 4", "Cursor 3", "Cursor 2", "Cursor 1", "Cursor 0"]
    );
    let res = browser.send("GET", "/api/clients?cursor=zz", None).await;
    assert_eq!(
        (
            res.status.as_u16(),
            res.json()["details"][0]["path"].clone()
        ),
        (400, json!(["cursor"]))
    );
}
both!(app_cursor_paging, Plan::Free);

/// Behind a proxy (`--public-url https://clients.example.com`): a browser's writes from that
/// origin are allowed, and the verification link points there.
#[actix_web::test]
async fn behind_a_proxy_the_public_origin_works() {
    let mail = clientele_test_support::TempDir::new();
    let mail_dir = mail.0.clone();
    let app = TestApp::start_with(Backend::Sqlite, Plan::Free, move |s| {
        s.public_url = Some("https://clients.example.com".to_owned());
        s.mail_dir = mail_dir;
    })
    .await;
    let origin = [
        ("Content-Type", "application/json"),
        ("Origin", "https://clients.example.com"),
    ];
    let body =
        json!({"email": "proxy@example.com", "password": "correct horse battery"}).to_string();
    let res = app
        .send("POST", "/api/auth/signup", &origin, Some(body.as_bytes()))
        .await;
    assert_eq!(res.status, 201, "{:?}", String::from_utf8_lossy(&res.body));
    let cookie = format!("next-auth.session-token={}", session_cookie(&res));
    let message = std::fs::read_dir(&mail.0)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .next()
        .expect("a message");
    let token = message
        .split("https://clients.example.com/verify-email?token=")
        .nth(1)
        .expect("the link uses the public URL")
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let verify = json!({ "token": token }).to_string();
    let res = app
        .send(
            "POST",
            "/api/auth/verify-email",
            &origin,
            Some(verify.as_bytes()),
        )
        .await;
    assert_eq!(res.status, 200);
    let with_cookie = [origin[0], origin[1], ("Cookie", cookie.as_str())];
    let client = json!({"name": "Proxied", "domain": "proxied.example"}).to_string();
    let res = app
        .send(
            "POST",
            "/api/clients",
            &with_cookie,
            Some(client.as_bytes()),
        )
        .await;
    assert_eq!(res.status, 201);
    let evil = [
        origin[0],
        ("Origin", "https://evil.example"),
        ("Cookie", cookie.as_str()),
    ];
    let res = app
        .send("POST", "/api/clients", &evil, Some(client.as_bytes()))
        .await;
    assert_eq!(res.status, 403);
}
