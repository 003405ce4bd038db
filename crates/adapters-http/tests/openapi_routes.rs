//! `/openapi.json` describes exactly the API the router serves: every documented operation is
//! routed (a request reaches a handler, not the fallback 404 or a 405), and every API route the
//! source registers is documented.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::sync::Arc;

use actix_web::dev::Service as _;
use actix_web::test::{self, TestRequest};
use clientele_adapters_http::{AppState, HttpSettings, app};
use clientele_ports::Config;
use clientele_ports::memory::Harness;

/// `(METHOD, pattern)` of every operation in the document.
fn documented() -> BTreeSet<(String, String)> {
    let doc: serde_json::Value = serde_json::from_str(
        &clientele_adapters_http::openapi::openapi()
            .to_json()
            .unwrap(),
    )
    .unwrap();
    let mut ops = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in ["get", "post", "put", "patch", "delete", "head", "options"] {
            if item.get(method).is_some() {
                ops.insert((method.to_ascii_uppercase(), path.clone()));
            }
        }
    }
    ops
}

/// `(METHOD, pattern)` of every API route the source registers: each `web::resource("...")` and
/// the `web::get()`/`post()`/... routes that follow it, in the files that register API routes
/// (the web app's pages and assets are HTML, not API, and are not in the document).
fn registered() -> BTreeSet<(String, String)> {
    let sources = [
        include_str!("../src/ops.rs"),
        include_str!("../src/management.rs"),
        include_str!("../src/app/mod.rs"),
    ];
    let mut routes = BTreeSet::new();
    for source in sources {
        for block in source.split("web::resource(\"").skip(1) {
            let pattern = block.split('"').next().unwrap().to_owned();
            // Up to the resource's end: the next resource or the end of the statement.
            let body = block.split(";\n").next().unwrap();
            for method in ["get", "post", "put", "patch", "delete"] {
                if body.contains(&format!("web::{method}()")) {
                    routes.insert((method.to_ascii_uppercase(), pattern.clone()));
                }
            }
        }
    }
    routes
}

/// The other direction — every documented operation is routed — is
/// `every_documented_operation_reaches_a_handler` (it also covers `GET /verify-email`, the web
/// app's page the verification link opens, documented because mail links to it).
#[test]
fn every_registered_api_route_is_documented() {
    let documented = documented();
    let registered = registered();
    assert!(
        registered.len() > 15,
        "the source scan found {registered:?}"
    );
    let undocumented: Vec<_> = registered.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "routes missing from /openapi.json: {undocumented:?}"
    );
}

#[actix_web::test]
async fn every_documented_operation_reaches_a_handler() {
    let harness = Harness::new();
    let services = Arc::new(harness.services(Config::default()));
    let state = AppState::new(services, HttpSettings::default());
    let svc = test::init_service(app(state)).await;
    for (method, pattern) in documented() {
        let path = pattern.replace("{id}", "0193a1a0-0000-7000-8000-000000000001");
        let req = TestRequest::default()
            .method(actix_web::http::Method::from_bytes(method.as_bytes()).unwrap())
            .uri(&path)
            .to_request();
        let res = svc.call(req).await.unwrap();
        let status = res.status().as_u16();
        let matched = res.request().match_pattern().is_some_and(|p| p == pattern);
        assert!(matched, "{method} {path}: no route (status {status})");
        assert_ne!(status, 405, "{method} {path}: method not allowed");
    }
}

/// The rules the server enforces on headers, filters and bodies are in the document.
#[test]
fn the_document_states_the_enforced_rules() {
    let doc: serde_json::Value = serde_json::from_str(
        &clientele_adapters_http::openapi::openapi()
            .to_json()
            .unwrap(),
    )
    .unwrap();
    let param = |path: &str, method: &str, name: &str| -> serde_json::Value {
        doc["paths"][path][method]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{method} {path}: no {name}"))["schema"]
            .clone()
    };
    let key = param("/v1/clients", "post", "Idempotency-Key");
    assert_eq!(
        (key["minLength"].clone(), key["maxLength"].clone()),
        (1.into(), 255.into())
    );
    assert!(key["pattern"].is_string());
    for (name, max) in [("type", 100), ("subscription_plan", 100), ("q", 255)] {
        let schema = param("/v1/clients", "get", name);
        let pattern = schema["pattern"].as_str().unwrap();
        assert!(
            pattern.contains(&format!("{{0,{}}}", max - 2)),
            "{name}: {pattern}"
        );
        assert!(pattern.contains("\\x7F-\\x9F"), "{name}: {pattern}");
    }
    assert!(param("/api/clients", "get", "q")["pattern"].is_string());
    let login = &doc["components"]["schemas"]["LoginRequest"];
    assert!(
        login["properties"].get("name").is_none(),
        "log-in has its own body: {login}"
    );
    let signup = &doc["components"]["schemas"]["Credentials"];
    assert_eq!(signup["properties"]["password"]["minLength"], 8);
    assert!(signup["properties"]["email"]["pattern"].is_string());
}
