//! The web app in a real browser: Debian's Chromium driven through ChromeDriver (WebDriver, with
//! `fantoccini`), against a real server on its own SQLite database.
//!
//! The tests are `#[ignore]`d (they need `/usr/bin/chromium` and `/usr/bin/chromedriver`, or
//! `CHROMIUM` / `CHROMEDRIVER`); `scripts/test.sh` includes them when both are installed, and
//! always under `CI`. They find everything as a person does: inputs by their visible label,
//! actions by their visible text (contract §8). Each step's screenshot is saved under
//! `target/browser-screenshots/` (not committed).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::too_many_lines)]

mod common;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use clientele_domain::Plan;
use common::{Backend, TestApp};
use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(10);

/// ChromeDriver on a free port, stopped on drop.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    fn start() -> Self {
        let binary =
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(&binary)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start {binary} ({e}): install Chromium and ChromeDriver \
                     (apt-get install -y chromium chromium-driver) or skip the browser tests"
                )
            });
        let url = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < WAIT, "ChromeDriver did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { child, url }
    }
}

impl Drop for Session {
    /// Chromium outlives ChromeDriver when a test fails before closing its session: stop every
    /// process of this session's profile.
    fn drop(&mut self) {
        let _ = Command::new("pkill")
            .args([
                "-f",
                &format!("--user-data-dir={}", self.profile.0.display()),
            ])
            .status();
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A headless Chromium session, a running app, and where screenshots go.
struct Session {
    browser: Client,
    app: TestApp,
    shots: PathBuf,
    step: u32,
    mail: clientele_test_support::TempDir,
    profile: clientele_test_support::TempDir,
    _driver: Driver,
}

impl Session {
    async fn start(name: &str, width: u32, height: u32) -> Self {
        let mail = clientele_test_support::TempDir::new();
        let mail_dir = mail.0.clone();
        let app = TestApp::start_with(Backend::Sqlite, Plan::Free, move |s| {
            s.mail_dir = mail_dir;
        })
        .await;
        let driver = Driver::start();
        let profile = clientele_test_support::TempDir::new();
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-extensions",
                    format!("--user-data-dir={}", profile.0.display()),
                    format!("--window-size={width},{height}"),
                ],
            }),
        );
        let browser = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&driver.url)
            .await
            .expect("a Chromium session");
        browser
            .set_window_size(width, height)
            .await
            .expect("window size");
        let shots = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../target/browser-screenshots")
            .join(name);
        std::fs::create_dir_all(&shots).expect("screenshot directory");
        Self {
            browser,
            app,
            shots,
            step: 0,
            mail,
            profile,
            _driver: driver,
        }
    }

    async fn open(&self, path: &str) {
        self.browser
            .goto(&self.app.url(path))
            .await
            .unwrap_or_else(|e| panic!("open {path}: {e}"));
    }

    /// Saves a screenshot named after the step.
    async fn shot(&mut self, what: &str) {
        self.step += 1;
        let png = self.browser.screenshot().await.expect("screenshot");
        std::fs::write(self.shots.join(format!("{:02}-{what}.png", self.step)), png)
            .expect("write screenshot");
    }

    async fn wait_xpath(&self, xpath: &str) -> Element {
        self.browser
            .wait()
            .at_most(WAIT)
            .for_element(Locator::XPath(xpath))
            .await
            .unwrap_or_else(|e| panic!("waited for {xpath}: {e}"))
    }

    /// The input labelled `label` (the last one on the page when several forms have it).
    async fn field(&self, label: &str) -> Element {
        let label = self
            .wait_xpath(&format!("(//label[normalize-space(.)='{label}'])[last()]"))
            .await;
        let id = label.attr("for").await.unwrap().expect("label for=");
        self.browser
            .find(Locator::Id(&id))
            .await
            .expect("labelled input")
    }

    async fn fill(&self, label: &str, text: &str) {
        let input = self.field(label).await;
        input.clear().await.expect("clear");
        input.send_keys(text).await.expect("type");
    }

    /// The (last) button or link whose visible text contains `text`.
    async fn button(&self, text: &str) -> Element {
        self.wait_xpath(&format!(
            "(//*[self::button or self::a][contains(normalize-space(.), '{text}')])[last()]"
        ))
        .await
    }

    async fn click(&self, text: &str) {
        self.button(text).await.click().await.expect("click");
    }

    /// Confirms the open dialog with its `text` button.
    async fn confirm(&self, text: &str) {
        self.wait_xpath(&format!(
            "//dialog[@open]//button[normalize-space(.)='{text}']"
        ))
        .await
        .click()
        .await
        .expect("confirm");
    }

    /// Waits until the page's visible text contains `text`.
    async fn see(&self, text: &str) {
        let started = Instant::now();
        loop {
            let body = self.visible_text().await;
            if body.contains(text) {
                return;
            }
            assert!(started.elapsed() < WAIT, "never saw {text:?} in:\n{body}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the page's visible text no longer contains `text`.
    async fn see_no(&self, text: &str) {
        let started = Instant::now();
        while self.visible_text().await.contains(text) {
            assert!(started.elapsed() < WAIT, "{text:?} never went away");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn visible_text(&self) -> String {
        self.browser
            .execute("return document.body.innerText;", vec![])
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }

    async fn path(&self) -> String {
        self.browser
            .current_url()
            .await
            .expect("url")
            .path()
            .to_owned()
    }

    async fn wait_path(&self, path: &str) {
        let started = Instant::now();
        while self.path().await != path {
            assert!(started.elapsed() < WAIT, "never reached {path}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The verification token of the last message in the app's mail directory.
    fn mailed_token(&self) -> String {
        let dir = &self.mail.0;
        let mut texts: Vec<String> = std::fs::read_dir(dir)
            .expect("mail dir")
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap_or_default())
            .collect();
        texts.sort();
        let text = texts
            .iter()
            .find(|t| t.contains("token="))
            .expect("a message");
        let after = text.split("verify-email?token=").nth(1).expect("a link");
        after.split_whitespace().next().unwrap().to_owned()
    }

    async fn sign_up(&mut self, email: &str) {
        self.open("/signup").await;
        self.fill("Name", "Ann Agency").await;
        self.fill("Email", email).await;
        self.fill("Password", "correct horse battery").await;
        self.shot("sign-up").await;
        self.click("Sign up").await;
        self.wait_path("/clients").await;
    }

    async fn stop(self) {
        let _ = self.browser.clone().close().await;
    }
}

/// The whole journey of §8: sign up → verify from the mailed link → a client with a bad domain
/// (the error at its field) → fixed → search → edit → delete → the usage line → a key used on
/// `/v1` → revoked → log out.
#[actix_web::test]
#[ignore = "needs Chromium: scripts/test.sh runs it when Chromium and ChromeDriver are installed"]
async fn browser_journey() {
    let mut s = Session::start("journey", 1280, 900).await;

    // GET / leads to the app: signed out, to the login page.
    s.open("/").await;
    s.wait_path("/login").await;
    s.click("Sign up").await;
    s.wait_path("/signup").await;

    s.sign_up("ann@example.com").await;
    s.see("Please verify your email address").await;
    s.see("0 of 3 clients on the Free plan").await;
    s.shot("unverified-banner").await;
    s.click("Resend").await;
    s.see("Verification email sent").await;

    // Verify through the link of the message.
    let token = s.mailed_token();
    s.open(&format!("/verify-email?token={token}")).await;
    s.click("Verify").await;
    s.see("verified").await;
    s.shot("verified").await;

    s.open("/clients").await;
    s.see("0 of 3 clients on the Free plan").await;
    s.see_no("Please verify your email address").await;

    // A bad domain: the API's message at the Domain field.
    s.fill("Name", "Acme Motors").await;
    s.fill("Domain", "not a url").await;
    s.fill("Contact name", "Jane Smith").await;
    s.fill("Contact email", "jane@acme.example").await;
    s.click("Add client").await;
    s.see("Must be a valid URL").await;
    let domain = s.field("Domain").await;
    assert_eq!(
        domain.attr("aria-invalid").await.unwrap().as_deref(),
        Some("true")
    );
    let described = domain
        .attr("aria-describedby")
        .await
        .unwrap()
        .unwrap_or_default();
    let error = s
        .browser
        .find(Locator::Id(described.split(' ').next_back().unwrap()))
        .await
        .expect("the field's error");
    assert_eq!(error.text().await.unwrap(), "Must be a valid URL");
    s.shot("field-error").await;

    s.fill("Domain", "acme.example").await;
    s.click("Add client").await;
    s.see("Added Acme Motors").await;
    s.see("1 of 3 clients on the Free plan").await;
    for (name, domain) in [
        ("Bistro Belle", "bistro.example"),
        ("Acme Foods", "foods.example"),
    ] {
        s.fill("Name", name).await;
        s.fill("Domain", domain).await;
        s.click("Add client").await;
        s.see(&format!("Added {name}")).await;
    }
    // At the limit, the upgrade message replaces the form.
    s.see("3 of 3 clients on the Free plan").await;
    s.see("You have reached your plan limit of 3 clients").await;
    let add_buttons = s
        .browser
        .find_all(Locator::XPath("//button[contains(., 'Add client')]"))
        .await
        .unwrap();
    for b in add_buttons {
        assert!(!b.is_displayed().await.unwrap(), "no form that would fail");
    }
    s.shot("clients-at-limit").await;

    // Search.
    s.fill("Search", "acme").await;
    s.see_no("Bistro Belle").await;
    s.see("Acme Motors").await;
    s.see("Acme Foods").await;
    s.shot("search").await;
    s.fill("Search", "").await;
    s.field("Search")
        .await
        .send_keys(&Key::Enter)
        .await
        .unwrap();
    s.see("Bistro Belle").await;

    // Edit.
    s.click("Edit Acme Motors").await;
    s.fill("Name", "Acme Motors Ltd").await;
    s.click("Save").await;
    s.see("Saved").await;
    s.see("Acme Motors Ltd").await;

    // Delete, with a confirmation.
    s.click("Delete Bistro Belle").await;
    s.shot("confirm-delete").await;
    s.confirm("Delete").await;
    s.see("Deleted Bistro Belle").await;
    s.see("2 of 3 clients on the Free plan").await;
    s.browser
        .set_window_size(1280, 1200)
        .await
        .expect("a taller window");
    s.browser
        .execute("window.scrollTo(0, 0);", vec![])
        .await
        .expect("scroll to the top");
    s.shot("clients").await;
    s.browser
        .set_window_size(1280, 900)
        .await
        .expect("window size");
    let services = &s.app.server.services;
    let orgs = services.organizations.list_organizations().await.unwrap();
    let caller = clientele_ports::Caller::Organization(orgs.last().unwrap().id);
    let page = services
        .clients
        .list_clients(&caller, &clientele_domain::ClientQuery::default())
        .await
        .unwrap();
    let names: Vec<&str> = page.clients.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        ["Acme Foods", "Acme Motors Ltd"],
        "the browser's changes are stored"
    );

    // A key: shown once, works on /v1, revoked.
    s.click("API keys").await;
    s.wait_path("/keys").await;
    s.fill("Key name", "CI").await;
    s.click("Create key").await;
    s.see("It will not be shown again").await;
    let key = s
        .field("API key")
        .await
        .prop("value")
        .await
        .unwrap()
        .expect("the key");
    assert!(key.starts_with("vox_mgmt_"), "{key}");
    s.button("Copy").await;
    s.shot("key-created").await;
    let me = s.app.call_as(&key, "GET", "/v1/auth/me", None).await;
    assert_eq!(me.status, 200);
    s.click("Revoke CI").await;
    s.confirm("Revoke").await;
    s.see("Revoked CI").await;
    let me = s.app.call_as(&key, "GET", "/v1/auth/me", None).await;
    assert_eq!(me.status, 401);
    s.shot("key-revoked").await;

    s.click("Log out").await;
    s.wait_path("/login").await;
    s.open("/clients").await;
    s.wait_path("/login").await;
    s.shot("logged-out").await;
    s.stop().await;
}

/// At phone width nothing scrolls sideways; the login works with the keyboard alone.
#[actix_web::test]
#[ignore = "needs Chromium: scripts/test.sh runs it when Chromium and ChromeDriver are installed"]
async fn browser_phone_width_and_keyboard_login() {
    let mut s = Session::start("phone", 390, 844).await;
    s.sign_up("phone@example.com").await;
    s.see("0 of 3 clients on the Free plan").await;
    let widths = s
        .browser
        .execute(
            "return [document.documentElement.scrollWidth, window.innerWidth];",
            vec![],
        )
        .await
        .unwrap();
    let (scroll, inner) = (widths[0].as_u64().unwrap(), widths[1].as_u64().unwrap());
    assert!(
        scroll <= inner,
        "no horizontal scroll at 390 px: {scroll} > {inner}"
    );
    s.shot("clients-390px").await;
    s.click("Log out").await;
    s.wait_path("/login").await;

    // Keyboard only: Tab to the Email field, type, Tab, type, Enter.
    s.open("/login").await;
    s.field("Email").await;
    let mut tabs = 0;
    loop {
        s.browser
            .active_element()
            .await
            .unwrap()
            .send_keys(&Key::Tab)
            .await
            .unwrap();
        tabs += 1;
        let name = s
            .browser
            .active_element()
            .await
            .unwrap()
            .attr("name")
            .await
            .unwrap();
        if name.as_deref() == Some("email") {
            break;
        }
        assert!(tabs < 10, "Tab never reached the Email field");
    }
    let active = s.browser.active_element().await.unwrap();
    active.send_keys("phone@example.com").await.unwrap();
    active.send_keys(&Key::Tab).await.unwrap();
    let password = s.browser.active_element().await.unwrap();
    assert_eq!(
        password.attr("type").await.unwrap().as_deref(),
        Some("password")
    );
    password.send_keys("correct horse battery").await.unwrap();
    password.send_keys(&Key::Tab).await.unwrap();
    let submit = s.browser.active_element().await.unwrap();
    assert!(
        submit.text().await.unwrap().contains("Log in"),
        "Tab order: Email, Password, Log in"
    );
    s.shot("keyboard-login").await;
    submit.send_keys(&Key::Enter).await.unwrap();
    s.wait_path("/clients").await;
    s.see("0 of 3 clients on the Free plan").await;
    s.stop().await;
}

/// The transferred size of the clients page (HTML, script, style; gzip), printed for the docs.
#[actix_web::test]
#[ignore = "needs Chromium: scripts/test.sh runs it when Chromium and ChromeDriver are installed"]
async fn browser_clients_page_is_small() {
    let mut s = Session::start("size", 1280, 900).await;
    s.sign_up("size@example.com").await;
    s.see("0 of 3 clients on the Free plan").await;
    let entries: Value = s
        .browser
        .execute(
            "return performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))\
               .map(e => [e.name, e.transferSize, e.decodedBodySize]);",
            vec![],
        )
        .await
        .unwrap();
    let mut transferred = 0;
    for e in entries.as_array().unwrap() {
        transferred += e[1].as_u64().unwrap_or(0);
    }
    eprintln!("clients page: {transferred} bytes transferred: {entries}");
    assert!(transferred > 0, "{entries}");
    assert!(
        transferred < 40_000,
        "the clients page stays small: {transferred} bytes"
    );
    s.shot("size").await;
    s.stop().await;
}
